#!/usr/bin/python3
"""Make the LibreOffice-built fixtures through UNO.

Run with Debian's /usr/bin/python3 (it has the `uno` module from python3-uno).
Usage: lo_make.py OUTDIR

Starts its own headless soffice with a throw-away profile, builds a Writer and a
Calc document holding Japanese text, and stores them with LibreOffice's own
export filters:

  lo-notice.pdf       writer_pdf_Export
  lo-notice.docx      MS Word 2007 XML
  lo-notice.doc       MS Word 97
  lo-notice.html      HTML (StarWriter)
  lo-sheet.xlsx       Calc MS Excel 2007 XML
  lo-sheet.xls        MS Excel 97            (BIFF8, "Workbook" stream)
  lo-encrypted.xls    MS Excel 97 + Password (FILEPASS record after BOF)
  lo-macro.xlsm       Calc MS Excel 2007 VBA XML, Basic module in VBA mode -> xl/vbaProject.bin
  lo-macro.xls        MS Excel 97 with Calc/Filter/Import/VBA/UseExport=true -> _VBA_PROJECT_CUR

Not made here: LibreOffice 7.4 ignores "Password" for the OOXML export (the
file comes out unencrypted), so the encrypted .xlsx is made by msoffcrypto-tool;
and its "MS Excel 95" (BIFF5) export fails with an I/O parameter error.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.script import ModuleInfo

OUT = os.path.abspath(sys.argv[1])
FONT = "IPAGothic"
PASSWORD = "pass"


def pv(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


def start_office(profile_dir, pipe):
    cmd = [
        "soffice", "--headless", "--invisible", "--nologo", "--norestore",
        "--nodefault", "--nolockcheck",
        "-env:UserInstallation=" + url(profile_dir),
        "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(
                "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return proc, ctx
        except Exception:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("soffice did not come up")


def set_config(ctx, node, prop, value):
    smgr = ctx.ServiceManager
    provider = smgr.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess", (pv("nodepath", node),))
    access.setPropertyValue(prop, value)
    access.commitChanges()


def store(doc, name, filt, *extra):
    path = os.path.join(OUT, name)
    args = (pv("FilterName", filt), pv("Overwrite", True)) + tuple(extra)
    doc.storeToURL(url(path), args)
    print("  wrote %-22s (%s)" % (name, filt))
    return path


WRITER_LINES = [
    "開設届の写し",
    "職域診療所 開設届 (診療所開設届出書)",
    "名称: 株式会社サンプル 本社診療所 (職域診療所)",
    "開設者: 株式会社サンプル 代表取締役 山田 太郎",
    "所在地: 東京都千代田区霞が関1-2-3",
    "開設年月日: 令和6年4月1日",
    "届出先: 千代田保健所長 殿",
    "This is a test fixture for DocIntake. It contains no real data.",
]

SHEET_ROWS = [
    ("項目", "内容"),
    ("書類", "開設許可書の写し"),
    ("医療機関等の種別", "職域診療所"),
    ("医療機関等名", "株式会社サンプル 本社診療所"),
    ("都道府県", "東京都"),
    ("開設年月日", "2024-04-01"),
    ("備考", "DocIntake test fixture / テスト用"),
]


def make_writer(desktop):
    doc = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, (pv("Hidden", True),))
    text = doc.getText()
    cursor = text.createTextCursor()
    for i, line in enumerate(WRITER_LINES):
        cursor.setPropertyValue("CharFontName", FONT)
        cursor.setPropertyValue("CharFontNameAsian", FONT)
        cursor.setPropertyValue("CharHeight", 16.0 if i == 0 else 11.0)
        cursor.setPropertyValue("CharHeightAsian", 16.0 if i == 0 else 11.0)
        text.insertString(cursor, line, False)
        if i != len(WRITER_LINES) - 1:
            text.insertControlCharacter(cursor, 0, False)  # PARAGRAPH_BREAK
    return doc


def fill_sheet(doc):
    sheet = doc.Sheets.getByIndex(0)
    sheet.Name = "開設許可書"
    for r, row in enumerate(SHEET_ROWS):
        for c, val in enumerate(row):
            cell = sheet.getCellByPosition(c, r)
            cell.setString(val)
            cell.setPropertyValue("CharFontNameAsian", FONT)
    sheet.getCellByPosition(0, len(SHEET_ROWS)).setString("件数")
    sheet.getCellByPosition(1, len(SHEET_ROWS)).setValue(2)
    sheet.Columns.getByIndex(0).Width = 5000
    sheet.Columns.getByIndex(1).Width = 9000


def make_calc(desktop):
    doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (pv("Hidden", True),))
    fill_sheet(doc)
    return doc


def add_vba_module(doc):
    """Put a Basic module into the document's Standard library and switch the
    library container to VBA compatibility mode, which is what LibreOffice's
    VbaExport (oox/source/ole/vbaexport.cxx) requires before it writes a VBA
    project on export."""
    libs = doc.BasicLibraries
    libs.VBACompatibilityMode = True
    libs.ProjectName = "Standard"
    if not libs.hasByName("Standard"):
        libs.createLibrary("Standard")
    lib = libs.getByName("Standard")
    info = ModuleInfo()
    info.ModuleType = 1  # com.sun.star.script.ModuleType.NORMAL
    if not lib.hasModuleInfo("Module1"):
        lib.insertModuleInfo("Module1", info)
    code = (
        "Option VBASupport 1\n"
        "Sub Fixture()\n"
        "    Range(\"A1\").Value = \"macro ran\"\n"
        "End Sub\n"
    )
    if lib.hasByName("Module1"):
        lib.replaceByName("Module1", code)
    else:
        lib.insertByName("Module1", code)


def main():
    os.makedirs(OUT, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    pipe = "docintake_fixtures_%d" % os.getpid()
    proc, ctx = start_office(profile, pipe)
    try:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

        w = make_writer(desktop)
        store(w, "lo-notice.pdf", "writer_pdf_Export")
        store(w, "lo-notice.docx", "MS Word 2007 XML")
        store(w, "lo-notice.doc", "MS Word 97")
        store(w, "lo-notice.html", "HTML (StarWriter)")
        w.close(True)

        c = make_calc(desktop)
        store(c, "lo-sheet.xlsx", "Calc MS Excel 2007 XML")
        store(c, "lo-sheet.xls", "MS Excel 97")
        store(c, "lo-encrypted.xls", "MS Excel 97", pv("Password", PASSWORD))
        c.close(True)

        m = make_calc(desktop)
        add_vba_module(m)
        store(m, "lo-macro.xlsm", "Calc MS Excel 2007 VBA XML")
        # BIFF8 export writes a real VBA project only with this switch on
        # (sc/source/filter/excel/expop2.cxx: VBAExportMode::FULL_EXPORT).
        set_config(ctx, "/org.openoffice.Office.Calc/Filter/Import/VBA", "UseExport", True)
        store(m, "lo-macro.xls", "MS Excel 97")
        m.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
