; Register Server: the 64-bit Windows installer (NSIS 3, built on Linux by build.sh).
;
; Per-machine install to Program Files by default (per-user to %LOCALAPPDATA%\Programs with
; /CurrentUser, or automatically without admin rights); Start-menu shortcut; uninstaller
; registered in Apps & Features. Silent switches follow the original agent's installer:
;   /S                      quiet install (never launches the wizard)
;   /D=<folder>             install folder (must be the LAST argument, NSIS rule)
;   /CACHE=<folder>         cache (scratch) folder (default <install folder>\Scratch)
;   /PROXYHOST=<host> /PROXYPORT=<port> /PROXYUSER=<user>
;   /PROXYPASSWORDFILE=<file>  the proxy password is read from this file at registration
;                           time; it is never accepted on the command line (/PROXYPASSWORD=
;                           is refused) and never written by the installer
;   /NOLAUNCH               do not offer to start the wizard at the end
;   /AllUsers | /CurrentUser  per-machine | per-user
;   /ALLOWDOWNGRADE         replace a newer installed version (refused otherwise, exit 1638)
; The original agent's switches are aliases: /q (= /S), /p:<folder> (install folder),
; /s:<folder> (= /CACHE), /ph: /po: /pu: (proxy host, port, user), /d (uninstall), /nu and /m
; (accepted, nothing to do: the product checks for no updates); /pw: is refused (exit 2).
; The uninstaller: /S keeps a registration unless /UNREGISTER; interactive, it asks.
; Exit codes: 0 done, 2 bad switch, 1150 Windows too old, 1602 cancelled, 1603 unregistering
; failed (uninstaller, nothing removed), 1638 a newer version is installed.
; Proxy switches are written to <install folder>\installer-answers.toml (an answer file with
; only a [proxy] section, no secret in it); the Start-menu shortcut opens the wizard with it.
; Without /PROXYPASSWORDFILE the wizard's Proxy page prompts for the password.
;
; Defines given by build.sh: VERSION, VERSION4, SRC (the one-folder app), OUTFILE, ICON,
; FILES_NSH / UNFILES_NSH (generated install and uninstall lists), SIGN (optional signer).

Unicode true
Target amd64-unicode
!ifdef COMPRESSOR         ; -DCOMPRESSOR=off: the tests' quick builds of stand-in apps
  SetCompress ${COMPRESSOR}
!else
  SetCompressor /SOLID lzma
!endif
ManifestDPIAware true

!define PRODUCT "Register Server"
!define PUBLISHER "register-server team"
!define UNINST_PARENT "Software\Microsoft\Windows\CurrentVersion\Uninstall"
!define UNINST_KEY "${UNINST_PARENT}\RegisterServer"
!define APP_KEY "Software\register-server"
!define ANSWERS "installer-answers.toml"
; Tells the app whether its registration is machine-wide (%ProgramData%, DPAPI machine scope)
; or per-user: wizard/core/install_scope.py reads it beside register-server.exe.
!define SCOPE "install-scope.txt"
; The oldest Windows the shipped files load on: Qt6Core imports icuuc.dll, which Windows has
; since Windows 10 1703 (build 15063); windows_minimum.py derives it from the DLL imports.
!ifndef MIN_BUILD
  !define MIN_BUILD 15063
  !define MIN_NAME "Windows 10 version 1703 (build 15063)"
!endif
; Written when uninstalling while registered: what was kept (or unregistered), and how to undo.
!define UNINSTALL_LOG "register-server-uninstall.log"
; Windows' own codes where one fits, so deployment tools report them by name.
!define EXIT_USAGE 2
!define EXIT_OLD_WINDOWS 1150     ; ERROR_OLD_WIN_VERSION
!define EXIT_CANCELLED 1602       ; ERROR_INSTALL_USEREXIT
!define EXIT_FAILED 1603          ; ERROR_INSTALL_FAILURE
!define EXIT_NEWER_INSTALLED 1638 ; ERROR_PRODUCT_VERSION

Name "${PRODUCT}"
OutFile "${OUTFILE}"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "FileDescription" "${PRODUCT} ${VERSION} setup"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "MIT License"

!ifdef SIGN
  ; Authenticode-sign the installer and the uninstaller it embeds (osslsigncode, via sign.sh).
  !finalize '${SIGN} "%1"' = 0
  !uninstfinalize '${SIGN} "%1"' = 0
!endif

; ---- per-machine / per-user ------------------------------------------------------------
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${PRODUCT}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${APP_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${APP_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include WinVer.nsh
!include WordFunc.nsh

Var CacheDir
Var CacheTop        ; the highest folder of the cache path this installer created ("" = none)
Var InstallTop      ; the same for the install folder
Var UninstParent    ; 1 when this installer created the Uninstall key itself (fresh profile)
Var ProxyHost
Var ProxyPort
Var ProxyUser
Var ProxyPasswordFile
Var NoLaunch
Var DirFromCommandLine
Var PrevVersion     ; what the earlier install of this scope left in ${APP_KEY} ("" = none)
Var PrevDir
Var PrevCache
Var PrevCacheTop
Var PrevInstallTop
Var PrevUninstParent

; ---- pages ------------------------------------------------------------------------------
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!define MUI_PAGE_CUSTOMFUNCTION_PRE ScopeChecks  ; the scope is known from here on
!insertmacro MUI_PAGE_DIRECTORY
!define MUI_PAGE_CUSTOMFUNCTION_PRE CachePagePre
!define MUI_PAGE_HEADER_TEXT "Choose Cache Folder"
!define MUI_PAGE_HEADER_SUBTEXT "Choose the folder for ${PRODUCT}'s temporary backup data."
!define MUI_DIRECTORYPAGE_VARIABLE $CacheDir
!define MUI_DIRECTORYPAGE_TEXT_TOP "The cache (scratch) folder holds temporary data while backing up. It needs free space of at least 5% of the data to back up, on a local volume (not a network share or removable drive)."
!define MUI_DIRECTORYPAGE_TEXT_DESTINATION "Cache folder"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "Start the ${PRODUCT} wizard"
!define MUI_FINISHPAGE_RUN_FUNCTION LaunchWizard
!define MUI_PAGE_CUSTOMFUNCTION_SHOW FinishPageShow
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; ---- command line -----------------------------------------------------------------------
!macro FailWith code message
  ; Silent: no dialog (/SD); the exit code says which refusal it was.
  MessageBox MB_OK|MB_ICONSTOP "${message}" /SD IDOK
  SetErrorLevel ${code}
  Quit
!macroend
!macro Fail message
  !insertmacro FailWith ${EXIT_USAGE} "${message}"   ; a command-line usage error
!macroend

; An original-agent switch /x:<value> read into var (left as it is when absent).
!macro Alias switch var
  ClearErrors
  ${GetOptions} $R0 "${switch}" $R1
  ${IfNot} ${Errors}
    StrCpy ${var} $R1
  ${EndIf}
!macroend

Function .onInit
  StrCpy $DirFromCommandLine $INSTDIR  ; only /D= sets $INSTDIR before .onInit (no InstallDir)
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/q" $R1            ; the original agent's quiet switch
  ${IfNot} ${Errors}
  ${AndIf} $R1 == ""
    SetSilent silent
  ${EndIf}
  ${IfNot} ${AtLeastBuild} ${MIN_BUILD}
    !insertmacro FailWith ${EXIT_OLD_WINDOWS} "${PRODUCT} needs ${MIN_NAME} or newer, or Windows Server 2019 or newer. This Windows is too old: nothing was installed."
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/d" $R1            ; the original agent's uninstall switch
  ${IfNot} ${Errors}
  ${AndIf} $R1 == ""
    Call UninstallInstalled
  ${EndIf}
  ${If} $DirFromCommandLine == ""
    !insertmacro Alias "/p:" $DirFromCommandLine
  ${EndIf}
  !insertmacro MULTIUSER_INIT
  ${If} $DirFromCommandLine != ""
    StrCpy $INSTDIR $DirFromCommandLine
  ${EndIf}

  ClearErrors
  ${GetOptions} $R0 "/PROXYPASSWORD=" $R1
  ${IfNot} ${Errors}
    !insertmacro Fail "The proxy password is never accepted on the command line. Put it in a file readable only by the installing account and pass /PROXYPASSWORDFILE=<file>."
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/pw:" $R1
  ${IfNot} ${Errors}
    !insertmacro Fail "/pw: (a proxy password on the command line) is not accepted. Put the password in a file readable only by the installing account and pass /PROXYPASSWORDFILE=<file>."
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/CACHE=" $CacheDir
  ${GetOptions} $R0 "/PROXYHOST=" $ProxyHost
  ${GetOptions} $R0 "/PROXYPORT=" $ProxyPort
  ${GetOptions} $R0 "/PROXYUSER=" $ProxyUser
  ${GetOptions} $R0 "/PROXYPASSWORDFILE=" $ProxyPasswordFile
  !insertmacro Alias "/s:" $CacheDir
  !insertmacro Alias "/ph:" $ProxyHost
  !insertmacro Alias "/po:" $ProxyPort
  !insertmacro Alias "/pu:" $ProxyUser
  ClearErrors
  ${GetOptions} $R0 "/NOLAUNCH" $R1
  ${IfNot} ${Errors}
    StrCpy $NoLaunch 1
  ${EndIf}

  ${If} $ProxyHost == ""
    ${If} "$ProxyPort$ProxyUser$ProxyPasswordFile" != ""
      !insertmacro Fail "/PROXYPORT, /PROXYUSER and /PROXYPASSWORDFILE need /PROXYHOST."
    ${EndIf}
  ${Else}
    IntOp $R2 $ProxyPort + 0
    ${If} $R2 < 1
    ${OrIf} $R2 > 65535
    ${OrIf} "$R2" != "$ProxyPort"
      !insertmacro Fail "/PROXYPORT must be a port number from 1 to 65535 (got '$ProxyPort')."
    ${EndIf}
  ${EndIf}
  ${If} $ProxyPasswordFile != ""
    ${IfNot} ${FileExists} "$ProxyPasswordFile"
      !insertmacro Fail "The proxy password file $ProxyPasswordFile does not exist."
    ${EndIf}
    ${If} $ProxyUser == ""
      !insertmacro Fail "/PROXYPASSWORDFILE needs /PROXYUSER."
    ${EndIf}
  ${EndIf}
  ${If} ${Silent}
    Call ScopeChecks                   ; interactive: before the folder page, once the scope is chosen
  ${EndIf}
FunctionEnd

; /d: run the uninstaller of what is installed (per machine first), silently when quiet, in
; place (_?=) so that this waits for it, and end with its exit code.
Function UninstallInstalled
  ${GetParameters} $R0
  StrCpy $R4 "AllUsers"
  ReadRegStr $R2 HKLM "${APP_KEY}" "InstallDir"
  ReadRegStr $R9 HKLM "${APP_KEY}" "CreatedInstallFolder"
  ${If} $R2 == ""
    StrCpy $R4 "CurrentUser"
    ReadRegStr $R2 HKCU "${APP_KEY}" "InstallDir"
    ReadRegStr $R9 HKCU "${APP_KEY}" "CreatedInstallFolder"
  ${EndIf}
  ${IfNot} ${FileExists} "$R2\uninstall.exe"
    !insertmacro Fail "${PRODUCT} is not installed: there is nothing to uninstall (/d)."
  ${EndIf}
  StrCpy $R3 ""
  ${If} ${Silent}
    StrCpy $R3 " /S"
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/UNREGISTER" $R1
  ${IfNot} ${Errors}
    StrCpy $R3 "$R3 /UNREGISTER"
  ${EndIf}
  ExecWait '"$R2\uninstall.exe" /$R4$R3 _?=$R2' $R1
  ${If} $R1 == 0
    Delete "$R2\uninstall.exe"            ; run in place, it cannot delete itself
    StrCpy $R0 $R2
    Call RemoveCreated
  ${EndIf}
  SetErrorLevel $R1
  Quit
FunctionEnd

; What is installed already, in this scope and in the other one. Refuses a downgrade unless
; /ALLOWDOWNGRADE, and says so when the other scope has an install too (Apps & Features then
; lists both, each with its scope in its name).
Function ScopeChecks
  ${GetParameters} $R0
  ReadRegStr $R1 HKLM "${APP_KEY}" "InstallMode"
  ${If} $R1 == "MSI"
    !insertmacro FailWith ${EXIT_NEWER_INSTALLED} "${PRODUCT} is installed from its MSI package on this computer. Upgrade or remove it with the MSI (msiexec), not with this setup.exe. Nothing was changed."
  ${EndIf}
  ReadRegStr $PrevVersion SHCTX "${APP_KEY}" "Version"
  ${If} $PrevVersion != ""
    ${VersionCompare} "${VERSION}" "$PrevVersion" $R1   ; 2: this installer is older
    ClearErrors
    ${GetOptions} $R0 "/ALLOWDOWNGRADE" $R2
    ${If} $R1 == 2
    ${AndIf} ${Errors}
      !insertmacro FailWith ${EXIT_NEWER_INSTALLED} "${PRODUCT} $PrevVersion is installed, which is newer than this installer (${VERSION}). Nothing was changed. To go back to ${VERSION} anyway, run this installer with /ALLOWDOWNGRADE."
    ${EndIf}
  ${EndIf}
  ${If} $MultiUser.InstallMode == "AllUsers"
    ReadRegStr $R1 HKCU "${UNINST_KEY}" "DisplayVersion"
    StrCpy $R2 "for your account only (per user)"
  ${Else}
    ReadRegStr $R1 HKLM "${UNINST_KEY}" "DisplayVersion"
    StrCpy $R2 "for all users (per machine)"
  ${EndIf}
  ${If} $R1 != ""
    MessageBox MB_OKCANCEL|MB_ICONINFORMATION "${PRODUCT} $R1 is also installed $R2. Both installs will be listed in Apps & Features, each under its own name; each keeps its own registration. Uninstall the other one if you meant to replace it.$\r$\n$\r$\nContinue?" /SD IDOK IDOK +3
      SetErrorLevel ${EXIT_CANCELLED}
      Quit
    DetailPrint "Note: ${PRODUCT} $R1 is also installed $R2."
  ${EndIf}
FunctionEnd

Function un.onInit
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

Function CachePagePre
  ${If} $CacheDir == ""
    StrCpy $CacheDir "$INSTDIR\Scratch"
  ${EndIf}
FunctionEnd

Function FinishPageShow
  ${If} $NoLaunch == 1
    SendMessage $mui.FinishPage.Run ${BM_SETCHECK} ${BST_UNCHECKED} 0
    ShowWindow $mui.FinishPage.Run ${SW_HIDE}
  ${EndIf}
FunctionEnd

Function LaunchWizard
  ${If} ${FileExists} "$INSTDIR\${ANSWERS}"
    Exec '"$INSTDIR\register-server-gui.exe" --answers "$INSTDIR\${ANSWERS}"'
  ${Else}
    Exec '"$INSTDIR\register-server-gui.exe"'
  ${EndIf}
FunctionEnd

; TOML literal strings ('...') take Windows paths verbatim; a quote in a value cannot be
; represented in one, so such values are refused rather than written wrongly.
!macro RefuseQuote value what
  ${WordFind} "${value}" "'" "E+1" $R9
  ${IfNot} ${Errors}
    !insertmacro Fail "${what} must not contain a single quote."
  ${EndIf}
  ClearErrors
!macroend

Function WriteAnswers
  ${If} $ProxyHost == ""
    Return
  ${EndIf}
  !insertmacro RefuseQuote $ProxyHost "/PROXYHOST"
  !insertmacro RefuseQuote $ProxyUser "/PROXYUSER"
  !insertmacro RefuseQuote $ProxyPasswordFile "/PROXYPASSWORDFILE"
  FileOpen $R0 "$INSTDIR\${ANSWERS}" w
  FileWrite $R0 "# Written by the ${PRODUCT} installer from its command line. No secret is stored here.$\r$\n"
  FileWrite $R0 "[proxy]$\r$\nmode = $\"custom$\"$\r$\nhost = '$ProxyHost'$\r$\n"
  FileWrite $R0 "port = $ProxyPort$\r$\n"
  ${If} $ProxyUser != ""
    FileWrite $R0 "username = '$ProxyUser'$\r$\n"
  ${EndIf}
  ${If} $ProxyPasswordFile != ""
    FileWrite $R0 "password_file = '$ProxyPasswordFile'$\r$\n"
  ${EndIf}
  FileClose $R0
FunctionEnd

; The highest ancestor of $R0 (itself included) that does not exist yet, in $R9 ("" if $R0
; exists): what creating $R0 adds, so the uninstaller can remove exactly that, when empty.
Function CreatedTop
  StrCpy $R9 ""
  ${Do}
    ${If} ${FileExists} "$R0\*.*"
      ${Break}
    ${EndIf}
    StrCpy $R9 $R0
    ${GetParent} $R0 $R1
    ${If} $R1 == ""
    ${OrIf} $R1 == $R0
      ${Break}
    ${EndIf}
    StrCpy $R0 $R1
  ${Loop}
FunctionEnd

; Remove folder $R0 and its parents up to $R9 (which this installer created), each only if empty.
!macro RemoveCreatedFunction prefix
Function ${prefix}RemoveCreated
  ${If} $R9 == ""
    Return
  ${EndIf}
  ${Do}
    RMDir "$R0"
    ${If} $R0 == $R9
      ${Break}
    ${EndIf}
    ${GetParent} $R0 $R0
    ${If} $R0 == ""
      ${Break}
    ${EndIf}
  ${Loop}
FunctionEnd
!macroend
!insertmacro RemoveCreatedFunction ""
!insertmacro RemoveCreatedFunction "un."

!macro KeepEarlier var earlier
  ; A reinstall or upgrade over an earlier install keeps what the first install created.
  ${If} ${var} == ""
    StrCpy ${var} ${earlier}
  ${EndIf}
!macroend

; An earlier install of this scope: remember what it created, and when its version differs,
; run its own uninstaller first (silently, keeping the registration: /UPGRADE), so files only
; the old version had go and nothing is left that no uninstaller knows about.
Function PreviousInstall
  ReadRegStr $PrevVersion SHCTX "${APP_KEY}" "Version"
  ReadRegStr $PrevDir SHCTX "${APP_KEY}" "InstallDir"
  ReadRegStr $PrevCache SHCTX "${APP_KEY}" "CacheFolder"
  ReadRegStr $PrevCacheTop SHCTX "${APP_KEY}" "CreatedCacheFolder"
  ReadRegStr $PrevInstallTop SHCTX "${APP_KEY}" "CreatedInstallFolder"
  ReadRegStr $PrevUninstParent SHCTX "${APP_KEY}" "CreatedUninstallKey"
  ${If} $PrevVersion == ""
  ${OrIf} $PrevVersion == "${VERSION}"
  ${OrIfNot} ${FileExists} "$PrevDir\uninstall.exe"
    Return
  ${EndIf}
  DetailPrint "Removing ${PRODUCT} $PrevVersion from $PrevDir first (its registration is kept)"
  ; _?= runs the old uninstaller in place and waits for it (it then leaves itself behind)
  ExecWait '"$PrevDir\uninstall.exe" /$MultiUser.InstallMode /S /UPGRADE _?=$PrevDir' $R1
  ${If} $R1 != 0
    !insertmacro FailWith ${EXIT_FAILED} "The uninstaller of ${PRODUCT} $PrevVersion failed (exit code $R1); nothing of ${VERSION} was installed."
  ${EndIf}
  Delete "$PrevDir\uninstall.exe"
  ${If} $PrevDir != $INSTDIR
    StrCpy $R0 $PrevDir
    StrCpy $R9 $PrevInstallTop
    Call RemoveCreated
    StrCpy $PrevInstallTop ""          ; that folder was the old install's, not this one's
  ${EndIf}
FunctionEnd

; ---- install ----------------------------------------------------------------------------
Section "Install"
  Call PreviousInstall
  StrCpy $UninstParent ""
  ClearErrors
  EnumRegKey $R0 SHCTX "${UNINST_PARENT}" 0   ; sets the error flag when the key does not exist
  ${If} ${Errors}
    StrCpy $UninstParent 1
  ${EndIf}
  !insertmacro KeepEarlier $UninstParent $PrevUninstParent
  StrCpy $R0 $INSTDIR
  Call CreatedTop
  StrCpy $InstallTop $R9
  !insertmacro KeepEarlier $InstallTop $PrevInstallTop
  SetOutPath "$INSTDIR"
  !include "${FILES_NSH}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  Call WriteAnswers
  FileOpen $R0 "$INSTDIR\${SCOPE}" w
  ${If} $MultiUser.InstallMode == "AllUsers"
    FileWrite $R0 "machine$\r$\n"
  ${Else}
    FileWrite $R0 "user$\r$\n"
  ${EndIf}
  FileClose $R0

  !insertmacro KeepEarlier $CacheDir $PrevCache   ; an upgrade keeps the cache folder chosen before
  ${If} $CacheDir == ""
    StrCpy $CacheDir "$INSTDIR\Scratch"
  ${EndIf}
  StrCpy $R0 $CacheDir
  Call CreatedTop
  StrCpy $CacheTop $R9
  ${If} $CacheDir == $PrevCache
    !insertmacro KeepEarlier $CacheTop $PrevCacheTop
  ${EndIf}
  CreateDirectory "$CacheDir"

  ${If} ${FileExists} "$INSTDIR\${ANSWERS}"
    CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\register-server-gui.exe" '--answers "$INSTDIR\${ANSWERS}"' "$INSTDIR\register-server-gui.exe" 0
  ${Else}
    CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\register-server-gui.exe" "" "$INSTDIR\register-server-gui.exe" 0
  ${EndIf}

  ; What the product and the uninstaller need to know (SHCTX = HKLM or HKCU by install mode).
  WriteRegStr SHCTX "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${APP_KEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr SHCTX "${APP_KEY}" "CacheFolder" "$CacheDir"
  WriteRegStr SHCTX "${APP_KEY}" "CreatedCacheFolder" "$CacheTop"
  WriteRegStr SHCTX "${APP_KEY}" "CreatedInstallFolder" "$InstallTop"
  WriteRegStr SHCTX "${APP_KEY}" "CreatedUninstallKey" "$UninstParent"

  ; Apps & Features
  ; one entry per scope; a per-user one says so, so two installs are told apart in the list
  ${If} $MultiUser.InstallMode == "AllUsers"
    WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  ${Else}
    WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${PRODUCT} (current user)"
  ${EndIf}
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\register-server.exe,0"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

; ---- uninstall --------------------------------------------------------------------------
; Uninstalling while registered. The registration (state folder, secrets, the vault's machine
; record) outlives the program unless the administrator says otherwise: interactive, they are
; asked; silent, it is kept unless /UNREGISTER; an upgrade (/UPGRADE) always keeps it.
; Unregistering is done by the installed app itself (`register-server unregister --yes`).
; Either way ${UNINSTALL_LOG} in %TEMP% says what was kept or done.
Function un.Registration
  ; $LOCALAPPDATA is %ProgramData% in the per-machine context: where each scope keeps its state
  ${IfNot} ${FileExists} "$LOCALAPPDATA\register-server\registration.json"
  ${OrIfNot} ${FileExists} "$INSTDIR\register-server.exe"
    Return                              ; not registered (in the default state folder)
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/UPGRADE" $R1
  ${IfNot} ${Errors}
    DetailPrint "Upgrade: the registration is kept."
    Return
  ${EndIf}
  nsExec::ExecToStack '"$INSTDIR\register-server.exe" status'
  Pop $R2   ; exit code: 0 registered, 9 not registered
  Pop $R3   ; what it printed
  ${If} $R2 == 9
    Return
  ${EndIf}
  StrCpy $R4 ""                          ; "1": unregister
  ClearErrors
  ${GetOptions} $R0 "/UNREGISTER" $R1
  ${IfNot} ${Errors}
    StrCpy $R4 1
  ${ElseIfNot} ${Silent}
    MessageBox MB_YESNOCANCEL|MB_ICONQUESTION "This server is registered:$\r$\n$R3$\r$\nUnregister it from its vault before uninstalling?$\r$\n$\r$\nYes: unregister, then uninstall.$\r$\nNo: uninstall and keep the registration (its state folder and secrets stay; installing again picks it up).$\r$\nCancel: do not uninstall." IDYES unregister IDNO keep
      SetErrorLevel ${EXIT_CANCELLED}
      Quit
    unregister:
      StrCpy $R4 1
    keep:
  ${EndIf}
  FileOpen $R5 "$TEMP\${UNINSTALL_LOG}" a
  FileSeek $R5 0 END
  ${GetTime} "" "L" $0 $1 $2 $3 $4 $5 $6
  FileWrite $R5 "$2-$1-$0 $4:$5:$6 uninstalling ${PRODUCT} ${VERSION} from $INSTDIR$\r$\n"
  FileWrite $R5 "registration before: $R3$\r$\n"
  ${If} $R4 == 1
    nsExec::ExecToStack '"$INSTDIR\register-server.exe" unregister --yes'
    Pop $R2
    Pop $R3
    FileWrite $R5 "unregister (exit code $R2): $R3$\r$\n"
    DetailPrint "Unregister (exit code $R2): $R3"
    ${If} $R2 != 0
      FileWrite $R5 "nothing was uninstalled: unregistering failed$\r$\n"
      FileClose $R5
      MessageBox MB_OK|MB_ICONSTOP "Unregistering failed (exit code $R2):$\r$\n$R3$\r$\nNothing was uninstalled. Fix the cause and uninstall again, or uninstall without unregistering (silent: without /UNREGISTER)." /SD IDOK
      SetErrorLevel ${EXIT_FAILED}
      Quit
    ${EndIf}
    FileWrite $R5 "kept: nothing (this server is unregistered)$\r$\n"
  ${Else}
    FileWrite $R5 "kept: the registration: its state folder $LOCALAPPDATA\register-server, its secrets and the vault's record of this machine. To remove it: install again and run register-server unregister, or uninstall with /UNREGISTER.$\r$\n"
    DetailPrint "Kept: the registration (state in $LOCALAPPDATA\register-server)."
  ${EndIf}
  FileClose $R5
FunctionEnd

Section "Uninstall"
  Call un.Registration
  ReadRegStr $CacheDir SHCTX "${APP_KEY}" "CacheFolder"
  ReadRegStr $CacheTop SHCTX "${APP_KEY}" "CreatedCacheFolder"
  ReadRegStr $InstallTop SHCTX "${APP_KEY}" "CreatedInstallFolder"
  ReadRegStr $UninstParent SHCTX "${APP_KEY}" "CreatedUninstallKey"

  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$INSTDIR\${ANSWERS}"
  Delete "$INSTDIR\${SCOPE}"
  !include "${UNFILES_NSH}"
  Delete "$INSTDIR\uninstall.exe"
  SetOutPath "$TEMP"                     ; a folder that is the current directory cannot be removed
  ; Folders go only if this installer created them and they are empty (scratch data stays).
  StrCpy $R0 $CacheDir
  StrCpy $R9 $CacheTop
  Call un.RemoveCreated
  StrCpy $R0 $INSTDIR
  StrCpy $R9 $InstallTop
  Call un.RemoveCreated

  DeleteRegKey SHCTX "${UNINST_KEY}"
  DeleteRegKey SHCTX "${APP_KEY}"
  ${If} $UninstParent == 1   ; a per-user install on a fresh profile created the key itself
    DeleteRegKey /ifempty SHCTX "${UNINST_PARENT}"
  ${EndIf}
SectionEnd
