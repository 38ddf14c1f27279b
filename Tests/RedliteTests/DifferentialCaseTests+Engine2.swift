import RESP
import RedisTestSupport
import Redlite
import Testing

/// Engine II: lists, sets and sorted sets, every command and option, edge cases and error texts.
@Suite("Differential: lists, sets, sorted sets")
struct CollectionDifferentialTests {




    @Test("sorted sets", arguments: DifferentialCases.sortedSets)
    func sortedSets(_ testCase: DifferentialCase) throws {
        var pair = try DifferentialPair()
        for divergence in try pair.run(testCase.commands) { Issue.record("\(divergence)") }
    }

    @Test("sets", arguments: DifferentialCases.sets)
    func sets(_ testCase: DifferentialCase) throws {
        var pair = try DifferentialPair()
        for divergence in try pair.run(testCase.commands) { Issue.record("\(divergence)") }
    }

    @Test("lists", arguments: DifferentialCases.lists)
    func lists(_ testCase: DifferentialCase) throws {
        var pair = try DifferentialPair()
        for divergence in try pair.run(testCase.commands) { Issue.record("\(divergence)") }
    }
}
