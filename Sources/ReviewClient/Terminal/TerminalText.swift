/// Text from the server made safe for a terminal (`DisplayWidth` measures it). Names and reasons are typed by
/// applicants, so they may hold escape sequences or bidi overrides that would rewrite the screen.
enum TerminalText {
    /// `text` on one line, with control, format and separator characters replaced by U+FFFD.
    static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            // A reason may span lines; keep its words, but on the line it belongs to.
            if scalar == "\n" || scalar == "\t" {
                out.append(" ")
            } else {
                out.append(isUnsafe(scalar) ? "\u{FFFD}" : scalar)
            }
        }
        return String(out)
    }

    /// Control (Cc), format (Cf: bidi overrides, zero-width characters) and line or paragraph
    /// separators: everything that can move the cursor or reorder what the reader sees.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
