; Series3 Watcher's installer refuses Windows before 10 with words a technician can act on,
; instead of installing an app that Electron cannot start there (Electron 23+ needs Windows 10).
!include "WinVer.nsh"

!macro customInit
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_OK|MB_ICONSTOP "Series3 Watcher needs Windows 10 or later; this PC runs an older Windows.$\r$\n$\r$\nOn this PC, run the headless agent instead (series3-watcher run, on Node.js 20; Windows 8.1 or later): see the README, section Supported Windows versions." /SD IDOK
    Quit
  ${EndIf}
!macroend
