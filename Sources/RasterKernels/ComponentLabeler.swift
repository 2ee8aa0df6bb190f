/// Streaming connected-component labelling over horizontal strips (see `ConnectedComponents`).
///
/// Feed strips of the full width, any height ≥ 1, top to bottom, as byte masks or packed bit
/// planes. After each row, components with no pixel in that row can no longer grow: they are
/// measured and queued for `drainFinished()`. State is the previous row's runs and the open
/// components' accumulators — at most about width / 2 of each, in buffers allocated once, so
/// memory is O(width) whatever the height and the per-row work allocates nothing. Components come
/// out in the order they close; sort by `firstPixelIndex` for the canonical order.
///
/// Algorithm: each row's runs are matched against the previous row's (overlapping columns for
/// `.four`, overlapping or touching diagonally for `.eight`) and joined by union-find; after the row,
/// surviving components are renumbered 0..<k so that node ids never outgrow the width. A row
/// without runs and without open components costs only the run search (a packed row: one test per
/// empty word).
public final class ComponentLabeler {
    public let width: Int
    public let connectivity: Connectivity
    public let implementation: KernelImplementation
    /// Rows consumed so far; the next strip's first row has this y.
    public private(set) var rowsFed = 0
    /// Components whose last row has been fed but which might still continue.
    public var openComponentCount: Int { openCount }

    private typealias Run = ConnectedComponents.Run
    private typealias Accumulator = ConnectedComponents.Accumulator
    private let capacity: Int
    private var previousRuns: UnsafeMutablePointer<Run>
    private var currentRuns: UnsafeMutablePointer<Run>
    private var previousCount = 0
    private var currentCount = 0
    private let parent: UnsafeMutablePointer<Int32>
    private let accumulators: UnsafeMutablePointer<Accumulator>
    private let renumbered: UnsafeMutablePointer<Int32>
    /// One packed row, for the SIMD twin of byte feeds.
    private let rowWords: UnsafeMutablePointer<UInt64>
    private var openCount = 0
    private var finished: [Component] = []
    private var isFinished = false

    public init(width: Int, connectivity: Connectivity, using implementation: KernelImplementation = .simd) {
        precondition(width >= 0, "ComponentLabeler width must not be negative, got \(width)")
        self.width = width; self.connectivity = connectivity; self.implementation = implementation
        // The most runs a row can hold; nodes per row: the previous row's open components plus
        // this row's new runs.
        capacity = (width + 1) / 2 + 1
        previousRuns = .allocate(capacity: capacity)
        currentRuns = .allocate(capacity: capacity)
        parent = .allocate(capacity: 2 * capacity)
        accumulators = .allocate(capacity: 2 * capacity)
        renumbered = .allocate(capacity: 2 * capacity)
        rowWords = .allocate(capacity: max(1, BitPacking.words(width)))
    }

    deinit {
        previousRuns.deallocate(); currentRuns.deallocate(); parent.deallocate()
        accumulators.deinitialize(count: openCount)
        accumulators.deallocate(); renumbered.deallocate(); rowWords.deallocate()
    }

    /// Consumes the next `strip.height` rows of the mask (non-zero = foreground).
    public func feed(_ strip: PlaneView<UInt8>) {
        precondition(!isFinished, "ComponentLabeler.feed after finish()")
        precondition(strip.width == width, "strip width \(strip.width) differs from the labeler's \(width)")
        for y in 0..<strip.height {
            switch implementation {
            case .scalar:
                currentCount = ConnectedComponents.findRunsScalar(strip.row(y), width: width, into: currentRuns)
            case .simd:
                BitPacking.packRowSIMD(strip.row(y), rowWords, width)
                currentCount = ConnectedComponents.findRuns(packed: rowWords, width: width, into: currentRuns)
            }
            processRow()
        }
    }

    /// Consumes the next `strip.height` rows of a packed mask.
    public func feed(_ strip: BitPlaneView) {
        precondition(!isFinished, "ComponentLabeler.feed after finish()")
        precondition(strip.width == width, "strip width \(strip.width) differs from the labeler's \(width)")
        for y in 0..<strip.height {
            currentCount = ConnectedComponents.findRuns(packed: strip.row(y), width: width, into: currentRuns)
            processRow()
        }
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
        for i in 0..<openCount { finished.append(accumulators[i].component) }
        accumulators.deinitialize(count: openCount)
        openCount = 0
        previousCount = 0
        return drainFinished()
    }

    @inline(__always) private func find(_ node: Int32) -> Int32 {
        var r = node
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var c = node
        while parent[Int(c)] != r { let next = parent[Int(c)]; parent[Int(c)] = r; c = next }
        return r
    }

    /// Joins two roots, keeping the smaller id; returns the surviving root.
    @inline(__always) private func union(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b { return a }
        let (keep, drop) = (min(a, b), max(a, b))
        parent[Int(drop)] = keep
        accumulators[Int(keep)].merge(accumulators[Int(drop)])
        return keep
    }

    /// Joins the current row's runs (found into `currentRuns`) to the open components.
    private func processRow() {
        let y = rowsFed
        rowsFed += 1
        if currentCount == 0 && openCount == 0 { return }

        // Nodes 0..<openCount are the open components (their own roots); new runs append nodes.
        var nodeCount = openCount
        for node in 0..<openCount { parent[node] = Int32(node) }
        // Under 8-connectivity a run also touches previous runs one column beyond either end.
        let reach = connectivity == .eight ? 1 : 0
        var j = 0
        for i in 0..<currentCount {
            let run = currentRuns[i]
            let lo = run.start - reach, hi = run.end + reach
            // Runs ending at or before lo cannot touch this run or any later one.
            while j < previousCount && previousRuns[j].end <= lo { j += 1 }
            var label: Int32 = -1
            var sharedColumns = 0
            var k = j
            while k < previousCount && previousRuns[k].start < hi {
                let p = previousRuns[k]
                let root = find(p.label)
                label = label < 0 ? root : union(label, root)
                sharedColumns += max(0, min(p.end, run.end) - max(p.start, run.start))
                k += 1
            }
            if label < 0 {
                label = Int32(nodeCount)
                parent[nodeCount] = label
                (accumulators + nodeCount).initialize(to: Accumulator())
                nodeCount += 1
            }
            accumulators[Int(label)].add(start: run.start, end: run.end, y: y, imageWidth: width)
            // A run alone has 2n + 2 boundary edges; each column shared with the row above hides the
            // two edges between the vertically adjacent pixels (always of the same component).
            accumulators[Int(label)].perimeter += 2 * (run.end - run.start) + 2 - 2 * sharedColumns
            currentRuns[i].label = label
        }

        // Which components did this row extend? The others are complete. renumbered: -1 = not
        // reached by this row, else the node's new id.
        for node in 0..<nodeCount { renumbered[node] = -1 }
        for i in 0..<currentCount {
            let root = find(currentRuns[i].label)
            currentRuns[i].label = root
            renumbered[Int(root)] = 0
        }
        var open = 0
        for node in 0..<nodeCount where parent[node] == Int32(node) {
            if renumbered[node] == 0 {
                // Roots are visited in increasing order, so `open <= node`: compacting in place is safe.
                if open != node { accumulators[open] = accumulators[node] }
                renumbered[node] = Int32(open)
                open += 1
            } else {
                finished.append(accumulators[node].component)
            }
        }
        openCount = open
        for i in 0..<currentCount { currentRuns[i].label = renumbered[Int(currentRuns[i].label)] }
        swap(&previousRuns, &currentRuns)
        previousCount = currentCount
    }
}
