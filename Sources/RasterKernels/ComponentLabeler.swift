/// Streaming connected-component labelling over horizontal strips (see `ConnectedComponents`).
///
/// Feed strips of the full width, any height ≥ 1, top to bottom. After each row, components with no
/// pixel in that row can no longer grow: they are measured and queued for `drainFinished()`. State
/// is the previous row's runs and the open components' accumulators — at most about width / 2 of
/// each, reused from row to row, so memory is O(width) whatever the height. Components come out in
/// the order they close; sort by `firstPixelIndex` for the canonical order.
///
/// Algorithm: each row's runs are matched against the previous row's (overlapping columns for
/// `.four`, overlapping or touching diagonally for `.eight`) and joined by union-find; after the row,
/// surviving components are renumbered 0..<k so that node ids never outgrow the width.
public final class ComponentLabeler {
    public let width: Int
    public let connectivity: Connectivity
    public let implementation: KernelImplementation
    /// Rows consumed so far; the next strip's first row has this y.
    public private(set) var rowsFed = 0
    /// Components whose last row has been fed but which might still continue.
    public var openComponentCount: Int { accumulators.count }

    private typealias Run = ConnectedComponents.Run
    private var previousRuns: [Run] = []
    private var currentRuns: [Run] = []
    private var parent: [Int32] = []
    private var accumulators: [ConnectedComponents.Accumulator] = []
    private var alive: [Bool] = []
    private var renumbered: [Int32] = []
    private var finished: [Component] = []
    private var isFinished = false

    public init(width: Int, connectivity: Connectivity, using implementation: KernelImplementation = .simd) {
        precondition(width >= 0, "ComponentLabeler width must not be negative, got \(width)")
        self.width = width; self.connectivity = connectivity; self.implementation = implementation
        // The most runs a row can hold; reserving once keeps the per-row work allocation-free.
        let maxRuns = (width + 1) / 2
        previousRuns.reserveCapacity(maxRuns); currentRuns.reserveCapacity(maxRuns)
        // Nodes per row: the previous row's open components plus this row's new runs.
        parent.reserveCapacity(2 * maxRuns); accumulators.reserveCapacity(2 * maxRuns)
        alive.reserveCapacity(2 * maxRuns); renumbered.reserveCapacity(2 * maxRuns)
    }

    /// Consumes the next `strip.height` rows of the mask (non-zero = foreground).
    public func feed(_ strip: PlaneView<UInt8>) {
        precondition(!isFinished, "ComponentLabeler.feed after finish()")
        precondition(strip.width == width, "strip width \(strip.width) differs from the labeler's \(width)")
        for y in 0..<strip.height { processRow(strip.row(y)) }
    }

    /// The components finished since the last call.
    public func drainFinished() -> [Component] {
        defer { finished.removeAll() }
        return finished
    }

    /// Ends the image: closes every open component and returns all components not yet drained.
    public func finish() -> [Component] {
        precondition(!isFinished, "ComponentLabeler.finish() called twice")
        isFinished = true
        for a in accumulators { finished.append(a.component) }
        accumulators.removeAll(); parent.removeAll(); previousRuns.removeAll()
        return drainFinished()
    }

    private func find(_ node: Int32) -> Int32 {
        var r = node
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var c = node
        while parent[Int(c)] != r { let next = parent[Int(c)]; parent[Int(c)] = r; c = next }
        return r
    }

    /// Joins two roots, keeping the smaller id; returns the surviving root.
    private func union(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b { return a }
        let (keep, drop) = (min(a, b), max(a, b))
        parent[Int(drop)] = keep
        accumulators[Int(keep)].merge(accumulators[Int(drop)])
        return keep
    }

    private func processRow(_ row: UnsafePointer<UInt8>) {
        let y = rowsFed
        rowsFed += 1
        currentRuns.removeAll(keepingCapacity: true)
        ConnectedComponents.findRuns(row, width: width, into: &currentRuns, using: implementation)

        // Under 8-connectivity a run also touches previous runs one column beyond either end.
        let reach = connectivity == .eight ? 1 : 0
        var j = 0
        for i in currentRuns.indices {
            let run = currentRuns[i]
            let lo = run.start - reach, hi = run.end + reach
            // Runs ending at or before lo cannot touch this run or any later one.
            while j < previousRuns.count && previousRuns[j].end <= lo { j += 1 }
            var label: Int32 = -1
            var sharedColumns = 0
            var k = j
            while k < previousRuns.count && previousRuns[k].start < hi {
                let p = previousRuns[k]
                let root = find(p.label)
                label = label < 0 ? root : union(label, root)
                sharedColumns += max(0, min(p.end, run.end) - max(p.start, run.start))
                k += 1
            }
            if label < 0 {
                label = Int32(parent.count)
                parent.append(label)
                accumulators.append(ConnectedComponents.Accumulator())
            }
            accumulators[Int(label)].add(start: run.start, end: run.end, y: y, imageWidth: width)
            // A run alone has 2n + 2 boundary edges; each column shared with the row above hides the
            // two edges between the vertically adjacent pixels (always of the same component).
            accumulators[Int(label)].perimeter += 2 * (run.end - run.start) + 2 - 2 * sharedColumns
            currentRuns[i].label = label
        }

        // Which components did this row extend? The others are complete.
        let nodeCount = parent.count
        alive.removeAll(keepingCapacity: true)
        alive.append(contentsOf: repeatElement(false, count: nodeCount))
        for i in currentRuns.indices {
            let root = find(currentRuns[i].label)
            currentRuns[i].label = root
            alive[Int(root)] = true
        }
        renumbered.removeAll(keepingCapacity: true)
        renumbered.append(contentsOf: repeatElement(-1, count: nodeCount))
        var open = 0
        for node in 0..<nodeCount where parent[node] == Int32(node) {
            if alive[node] {
                // Roots are visited in increasing order, so `open <= node`: compacting in place is safe.
                accumulators[open] = accumulators[node]
                renumbered[node] = Int32(open)
                open += 1
            } else {
                finished.append(accumulators[node].component)
            }
        }
        accumulators.removeLast(nodeCount - open)
        parent.removeAll(keepingCapacity: true)
        for node in 0..<open { parent.append(Int32(node)) }
        for i in currentRuns.indices { currentRuns[i].label = renumbered[Int(currentRuns[i].label)] }
        swap(&previousRuns, &currentRuns)
    }
}
