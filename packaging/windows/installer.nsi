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
; Proxy switches are written to <install folder>\installer-answers.toml (an answer file with
; only a [proxy] section, no secret in it); the Start-menu shortcut opens the wizard with it.
; Without /PROXYPASSWORDFILE the wizard's Proxy page prompts for the password.
;
; Defines given by build.sh: VERSION, VERSION4, SRC (the one-folder app), OUTFILE, ICON,
; FILES_NSH / UNFILES_NSH (generated install and uninstall lists), SIGN (optional signer).

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
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

; ---- pages ------------------------------------------------------------------------------
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!define MUI_PAGE_CUSTOMFUNCTION_PRE CachePagePre
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
!macro Fail message
  ; Silent: no dialog (/SD), exit code 2, like a command-line usage error.
  MessageBox MB_OK|MB_ICONSTOP "${message}" /SD IDOK
  SetErrorLevel 2
  Quit
!macroend

Function .onInit
  StrCpy $DirFromCommandLine $INSTDIR  ; only /D= sets $INSTDIR before .onInit (no InstallDir)
  !insertmacro MULTIUSER_INIT
  ${If} $DirFromCommandLine != ""
    StrCpy $INSTDIR $DirFromCommandLine
  ${EndIf}

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PROXYPASSWORD=" $R1
  ${IfNot} ${Errors}
    !insertmacro Fail "The proxy password is never accepted on the command line. Put it in a file readable only by the installing account and pass /PROXYPASSWORDFILE=<file>."
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/CACHE=" $CacheDir
  ${GetOptions} $R0 "/PROXYHOST=" $ProxyHost
  ${GetOptions} $R0 "/PROXYPORT=" $ProxyPort
  ${GetOptions} $R0 "/PROXYUSER=" $ProxyUser
  ${GetOptions} $R0 "/PROXYPASSWORDFILE=" $ProxyPasswordFile
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
!include WordFunc.nsh

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
Function un.RemoveCreated
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

!macro KeepEarlier var value
  ; A reinstall over an earlier install keeps what the first install created.
  ReadRegStr $R8 SHCTX "${APP_KEY}" "${value}"
  ${If} ${var} == ""
    StrCpy ${var} $R8
  ${EndIf}
!macroend

; ---- install ----------------------------------------------------------------------------
Section "Install"
  StrCpy $UninstParent ""
  ClearErrors
  EnumRegKey $R0 SHCTX "${UNINST_PARENT}" 0   ; sets the error flag when the key does not exist
  ${If} ${Errors}
    StrCpy $UninstParent 1
  ${EndIf}
  !insertmacro KeepEarlier $UninstParent "CreatedUninstallKey"
  StrCpy $R0 $INSTDIR
  Call CreatedTop
  StrCpy $InstallTop $R9
  !insertmacro KeepEarlier $InstallTop "CreatedInstallFolder"
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

  ${If} $CacheDir == ""
    StrCpy $CacheDir "$INSTDIR\Scratch"
  ${EndIf}
  StrCpy $R0 $CacheDir
  Call CreatedTop
  StrCpy $CacheTop $R9
  !insertmacro KeepEarlier $CacheTop "CreatedCacheFolder"
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
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
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
Section "Uninstall"
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
