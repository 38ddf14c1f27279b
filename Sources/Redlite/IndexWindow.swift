/// The elements `start...end` of a collection of `length` elements under Redis's index rules, shared
/// by LRANGE, LTRIM, ZRANGE by rank and ZREMRANGEBYRANK (`listTypeRange`/`zrangeGenericCommand` in
/// Redis): negative indices count from the end, a start before the beginning becomes 0, an end past
/// the last element becomes the last one, and a window that selects nothing is `nil`.
struct IndexWindow {
    /// Index of the first selected element.
    let offset: Int64
    /// Number of selected elements (at least 1).
    let count: Int64

    init?(start: Int64, end: Int64, length: Int64) {
        var start = start, end = end
        if start < 0 { start += length }
        if end < 0 { end += length }
        if start < 0 { start = 0 }
        if start > end || start >= length { return nil }
        if end >= length { end = length - 1 }
        offset = start
        count = end - start + 1
    }
}
