/// The literal starts of job-name patterns as a byte trie in flat arrays, for `RuleIndex`: a job name's
/// UTF-8 bytes are walked once, where a table of prefixes made and hashed one string per prefix length (a
/// third of the evaluator's time). Bytes compare as the glob compares scalars: a start is made of whole
/// scalars, so the name begins with its bytes exactly when it begins with its scalars.
struct NamePrefixTrie: Sendable {
    /// Per node, its edges: `edgeBytes[firstEdge[node] ..< firstEdge[node + 1]]`, each leading to the node
    /// at the same place in `edgeTargets`. Node 0 is the empty start.
    private let firstEdge: [Int32]
    private let edgeBytes: [UInt8]
    private let edgeTargets: [Int32]
    /// Per node, the value of the start that ends there, or -1.
    private let values: [Int32]

    /// - Parameter starts: each start's UTF-8 bytes (not empty) and its value (≥ 0); a start given twice
    ///   keeps its last value.
    init(_ starts: [(bytes: [UInt8], value: Int)]) {
        var children: [[UInt8: Int32]] = [[:]]
        var values: [Int32] = [-1]
        for (bytes, value) in starts {
            var node = 0
            for byte in bytes {
                if let next = children[node][byte] {
                    node = Int(next)
                } else {
                    children.append([:])
                    values.append(-1)
                    children[node][byte] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            values[node] = Int32(value)
        }
        var firstEdge: [Int32] = []
        var edgeBytes: [UInt8] = []
        var edgeTargets: [Int32] = []
        for edges in children {
            firstEdge.append(Int32(edgeBytes.count))
            for (byte, target) in edges.sorted(by: { $0.key < $1.key }) {
                edgeBytes.append(byte)
                edgeTargets.append(target)
            }
        }
        firstEdge.append(Int32(edgeBytes.count))
        self.firstEdge = firstEdge
        self.edgeBytes = edgeBytes
        self.edgeTargets = edgeTargets
        self.values = values
    }

    /// Calls `body` with the value of every start `name` begins with, shortest first.
    func forEachStart(of name: String, _ body: (Int) -> Void) {
        var node = 0
        for byte in name.utf8 {
            var edge = Int(firstEdge[node])
            let end = Int(firstEdge[node + 1])
            while edge < end, edgeBytes[edge] != byte { edge += 1 }
            guard edge < end else { return }
            node = Int(edgeTargets[edge])
            if values[node] >= 0 { body(Int(values[node])) }
        }
    }
}
