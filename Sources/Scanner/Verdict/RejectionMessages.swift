/// Every text an applicant can see from the scanner, kept together so that wording is corrected in one place.
enum RejectionMessages {
    /// For a JPEG or HEIC photo (still `type_not_allowed`): the form says 「スキャンまたは写真」, so say how to send one.
    static let photo = (
        ja: "写真の形式（JPEG・HEIC）はアップロードできません。写真はPDFに変換するか、PNG形式で保存し直してからアップロードしてください。スマートフォンでは、書類をスキャンする機能でPDFとして保存できます。",
        en:
            "Photos in JPEG or HEIC format cannot be uploaded. Convert the photo to PDF, or save it as PNG, and upload it again. On a smartphone, the document-scanning feature can save the page as a PDF."
    )

    /// The Japanese and English message for `reason`; each says what went wrong and what to do next.
    static func messages(for reason: RejectionReason) -> (ja: String, en: String) {
        switch reason {
        case .empty:
            (
                "ファイルが空（0バイト）です。正しいファイルを選択して、もう一度アップロードしてください。",
                "The file is empty (0 bytes). Choose the correct file and upload it again."
            )
        case .typeNotAllowed:
            (
                "アップロードできるのはPDF・PNG・Excel（.xls／.xlsx）のファイルだけです。形式はファイルの中身で判定しており、ファイル名（拡張子）を変えても変わりません。PDFなどの対応形式で保存し直してからアップロードしてください。",
                "Only PDF, PNG and Excel (.xls or .xlsx) files can be uploaded. The format is judged by the file's content, so renaming the file does not change it. Save the document in one of these formats, for example as PDF, and upload it again."
            )
        case .macroEnabled:
            (
                "マクロを含むExcelファイルはアップロードできません。マクロを含まない形式（.xlsx）で保存し直してからアップロードしてください。",
                "Excel files that contain macros cannot be uploaded. Save the workbook again without macros (.xlsx) and upload it."
            )
        case .encrypted:
            (
                "パスワードで保護（暗号化）されたファイルはアップロードできません。パスワードを解除して保存し直してからアップロードしてください。",
                "Password-protected (encrypted) files cannot be uploaded. Remove the password, save the file again and upload it."
            )
        case .truncated:
            (
                "ファイルが途中で切れています（不完全なファイルです）。元のファイルが開けることを確認して、もう一度アップロードしてください。",
                "The file is incomplete: it ends before its content does. Check that the original file opens, then upload it again."
            )
        case .corrupt:
            (
                "ファイルが壊れているため読み取れません。作成したアプリケーションで開けることを確認し、保存し直してからアップロードしてください。",
                "The file is damaged and cannot be read. Check that it opens in the application that created it, save it again and upload it."
            )
        case .polyglot:
            (
                "ファイルに別の形式のデータ（ZIP・Officeファイル・プログラムなど）が含まれているため受け付けられません。元のアプリケーションからPDF（またはPNG）として保存し直してからアップロードしてください。",
                "The file also contains data of another format (a ZIP, an Office file, a program or the like), so it cannot be accepted. Save it again as PDF (or PNG) from the application that created it, and upload it again."
            )
        case .imageTooLarge:
            (
                "画像の縦または横のピクセル数が大きすぎます。解像度を600dpi以下にしてスキャンし直すか、PDFに変換してからアップロードしてください。",
                "The image has too many pixels across or down. Scan it again at 600 dpi or less, or convert it to PDF, and upload it again."
            )
        case .zipUnsafe:
            (
                "ファイルの内部構造に安全でない点があるため受け付けられません。Excelで開いて .xlsx 形式で保存し直すか、PDFに変換してからアップロードしてください。",
                "The file's internal structure is unsafe, so it cannot be accepted. Open it in Excel and save it again as .xlsx, or convert it to PDF, and upload it again."
            )
        case .infected:
            (
                "ウイルス対策ソフトの検査でこのファイルからマルウェアが検出されたため受け付けられません。お使いのパソコンをウイルス対策ソフトで検査し、元の書類から作成し直したファイルをアップロードしてください。",
                "The antivirus scan found malware in this file, so it cannot be accepted. Scan your computer with antivirus software, then create the file again from the original document and upload it."
            )
        }
    }
}
