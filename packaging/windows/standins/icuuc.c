/*
 * Stand-in icuuc.dll for the Wine *build prefix* only (never shipped).
 *
 * Why: Windows 10+ ships ICU as icuuc.dll and Qt6Core imports about twenty ucnv_* functions
 * from it; Wine 8 has no such DLL, so Qt6Core (and PyInstaller's analysis, which loads it)
 * would fail to load. Every converter here "fails to open", which makes Qt fall back to its
 * own built-in codecs (UTF-8/UTF-16/Latin-1), all the product needs.
 * PyInstaller does not bundle DLLs from the Windows folder, so this never reaches an install.
 */
#include <stddef.h>
#include <stdint.h>

#define EXPORT __declspec(dllexport)
typedef int32_t UErrorCode;
#define U_MISSING_RESOURCE_ERROR 2

static void fail(UErrorCode *err) { if (err && *err <= 0) *err = U_MISSING_RESOURCE_ERROR; }

EXPORT void *ucnv_open(const char *name, UErrorCode *err) { (void)name; fail(err); return NULL; }
EXPORT void ucnv_close(void *cnv) { (void)cnv; }
EXPORT void ucnv_reset(void *cnv) { (void)cnv; }
EXPORT int8_t ucnv_getMaxCharSize(const void *cnv) { (void)cnv; return 1; }
EXPORT const char *ucnv_getName(const void *cnv, UErrorCode *err) { (void)cnv; fail(err); return NULL; }
EXPORT void ucnv_getToUCallBack(const void *cnv, void **action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_getFromUCallBack(const void *cnv, void **action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL; }
EXPORT void ucnv_setToUCallBack(void *cnv, void *n, const void *c, void **oa, const void **oc, UErrorCode *err) {
    (void)cnv; (void)n; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; fail(err); }
EXPORT void ucnv_setFromUCallBack(void *cnv, void *n, const void *c, void **oa, const void **oc, UErrorCode *err) {
    (void)cnv; (void)n; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; fail(err); }
EXPORT void ucnv_cbToUWriteUChars(void *args, const uint16_t *s, int32_t len, int32_t off, UErrorCode *err) {
    (void)args; (void)s; (void)len; (void)off; fail(err); }
EXPORT void ucnv_cbFromUWriteUChars(void *args, const uint16_t **s, const uint16_t *lim, int32_t off, UErrorCode *err) {
    (void)args; (void)s; (void)lim; (void)off; fail(err); }
EXPORT void ucnv_toUnicode(void *cnv, uint16_t **t, const uint16_t *tl, const char **s, const char *sl,
                           int32_t *o, int8_t flush, UErrorCode *err) {
    (void)cnv; (void)t; (void)tl; (void)s; (void)sl; (void)o; (void)flush; fail(err); }
EXPORT void ucnv_fromUnicode(void *cnv, char **t, const char *tl, const uint16_t **s, const uint16_t *sl,
                             int32_t *o, int8_t flush, UErrorCode *err) {
    (void)cnv; (void)t; (void)tl; (void)s; (void)sl; (void)o; (void)flush; fail(err); }
EXPORT int32_t ucnv_toUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; fail(err); return 0; }
EXPORT int32_t ucnv_fromUCountPending(const void *cnv, UErrorCode *err) { (void)cnv; fail(err); return 0; }
EXPORT const char *ucnv_getStandardName(const char *n, const char *std, UErrorCode *err) {
    (void)n; (void)std; fail(err); return NULL; }
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const uint16_t *u, int32_t l, int32_t cp,
                                            int reason, UErrorCode *err) {
    (void)c; (void)a; (void)u; (void)l; (void)cp; (void)reason; fail(err); }
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const char *b, int32_t l, int reason,
                                          UErrorCode *err) {
    (void)c; (void)a; (void)b; (void)l; (void)reason; fail(err); }
