import Foundation

/// A self-contained HTML page with SVG charts: throughput and p99 latency over time, the
/// stock curve (available, held, sold), and outcomes by code.
struct HTMLReport {
    let report: RunReport

    var html: String {
        let seconds = report.timeline
        let throughput = chart(
            title: "Requests per second",
            series: [("requests/s", "#2563eb", seconds.map { (Double($0.t), Double($0.operations)) })]
        )
        let latency = chart(
            title: "p99 latency per second (ms)",
            series: [("p99 ms", "#dc2626", seconds.map { (Double($0.t), $0.p99Ms) })]
        )
        let stock = chart(
            title: "Stock over time (units)",
            series: [
                ("available", "#16a34a", report.stock.map { ($0.t, Double($0.available)) }),
                ("held", "#f59e0b", report.stock.map { ($0.t, Double($0.held)) }),
                ("sold", "#7c3aed", report.stock.map { ($0.t, Double($0.sold)) }),
            ]
        )
        let verdict =
            report.passed
            ? "<p class=ok>Every invariant holds.</p>"
            : "<p class=bad>Invariant violations:</p><ul>"
                + report.findings.violations.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>HotStock load run: \(escape(report.scenario.name))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:960px}pre{background:#f4f4f5;padding:1em;overflow-x:auto}
            .ok{color:#15803d;font-weight:bold}.bad{color:#b91c1c;font-weight:bold}svg{background:#fafafa;border:1px solid #e4e4e7;margin:.5em 0}</style>
            </head><body><h1>HotStock load run: \(escape(report.scenario.name))</h1>
            \(verdict)<pre>\(escape(report.text))</pre>\(throughput)\(latency)\(stock)\(outcomes())</body></html>
            """
    }

    private func chart(title: String, series: [(String, String, [(Double, Double)])]) -> String {
        let width = 900.0
        let height = 260.0
        let pad = 40.0
        let points = series.flatMap(\.2)
        let maxX = max(points.map(\.0).max() ?? 1, 1)
        let maxY = max(points.map(\.1).max() ?? 1, 1)
        var svg =
            "<h2>\(escape(title))</h2><svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg +=
            "<line x1=\"\(pad)\" y1=\"\(height - pad)\" x2=\"\(width - 10)\" y2=\"\(height - pad)\" stroke=\"#71717a\"/>"
        svg += "<line x1=\"\(pad)\" y1=\"10\" x2=\"\(pad)\" y2=\"\(height - pad)\" stroke=\"#71717a\"/>"
        svg += "<text x=\"4\" y=\"16\" font-size=\"11\">\(format(maxY))</text>"
        svg += "<text x=\"\(width - 60)\" y=\"\(height - 20)\" font-size=\"11\">\(format(maxX)) s</text>"
        for (index, (name, color, values)) in series.enumerated() {
            let path = values.map { x, y in
                "\(pad + x / maxX * (width - pad - 10)),\(height - pad - y / maxY * (height - pad - 10))"
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>"
            svg +=
                "<text x=\"\(pad + 10 + Double(index) * 110)\" y=\"\(height - 8)\" font-size=\"12\" fill=\"\(color)\">\(escape(name))</text>"
        }
        return svg + "</svg>"
    }

    private func outcomes() -> String {
        let rows = report.outcomes.sorted { $0.key < $1.key }.flatMap { operation, codes in
            codes.sorted { $0.key < $1.key }.map { ("\(operation) \($0.key)", $0.value) }
        }
        let maxValue = Double(rows.map(\.1).max() ?? 1)
        var svg = "<h2>Outcomes by code</h2><svg width=\"900\" height=\"\(rows.count * 24 + 10)\">"
        for (index, (label, value)) in rows.enumerated() {
            let y = index * 24 + 5
            svg += "<text x=\"0\" y=\"\(y + 14)\" font-size=\"12\">\(escape(label))</text>"
            svg +=
                "<rect x=\"220\" y=\"\(y)\" width=\"\(Int(Double(value) / maxValue * 600))\" height=\"18\" fill=\"#60a5fa\"/>"
            svg +=
                "<text x=\"\(226 + Int(Double(value) / maxValue * 600))\" y=\"\(y + 14)\" font-size=\"12\">\(value)</text>"
        }
        return svg + "</svg>"
    }

    private func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value)) : String(format: "%.2f", value)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
