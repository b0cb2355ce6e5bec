/*
 * p11fault: a PKCS#11 module that forwards to a real one (SoftHSM2 in the tests) and can make the device disappear, for the
 * fault tests ("the HSM unavailable and back").
 *
 * Environment:
 *   SIGNSVC_P11FAULT_MODULE  path of the real module (required)
 *   SIGNSVC_P11FAULT_FILE    while this file exists, every call that reaches the device answers CKR_DEVICE_REMOVED
 *
 * C_GetFunctionList returns a copy of the real module's function list in which the calls the service makes on a token
 * (sessions, login, object search, attributes, key generation, signing) are wrapped; C_Initialize, C_Finalize and the
 * informational calls pass straight through. Uses the p11-kit PKCS#11 header (v2.40 names, LP64).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST real_list;
static CK_FUNCTION_LIST fault_list;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static CK_RV load_result = CKR_GENERAL_ERROR;

static int device_gone(void)
{
    const char *file = getenv("SIGNSVC_P11FAULT_FILE");
    return file != NULL && access(file, F_OK) == 0;
}

#define GUARD() do { if (device_gone()) return CKR_DEVICE_REMOVED; } while (0)

static CK_RV w_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{ GUARD(); return real_list.C_GetTokenInfo(slot, info); }
static CK_RV w_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR session)
{ GUARD(); return real_list.C_OpenSession(slot, flags, app, notify, session); }
static CK_RV w_GetSessionInfo(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info)
{ GUARD(); return real_list.C_GetSessionInfo(session, info); }
static CK_RV w_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len)
{ GUARD(); return real_list.C_Login(session, user, pin, pin_len); }
static CK_RV w_GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_PTR template, CK_ULONG count)
{ GUARD(); return real_list.C_GetAttributeValue(session, object, template, count); }
static CK_RV w_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR template, CK_ULONG count)
{ GUARD(); return real_list.C_FindObjectsInit(session, template, count); }
static CK_RV w_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max, CK_ULONG_PTR count)
{ GUARD(); return real_list.C_FindObjects(session, objects, max, count); }
static CK_RV w_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key)
{ GUARD(); return real_list.C_SignInit(session, mechanism, key); }
static CK_RV w_Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len, CK_BYTE_PTR signature, CK_ULONG_PTR signature_len)
{ GUARD(); return real_list.C_Sign(session, data, data_len, signature, signature_len); }
static CK_RV w_GenerateKeyPair(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_ATTRIBUTE_PTR pub, CK_ULONG pub_count,
                               CK_ATTRIBUTE_PTR priv, CK_ULONG priv_count, CK_OBJECT_HANDLE_PTR pub_key, CK_OBJECT_HANDLE_PTR priv_key)
{ GUARD(); return real_list.C_GenerateKeyPair(session, mechanism, pub, pub_count, priv, priv_count, pub_key, priv_key); }

static void load(void)
{
    const char *path = getenv("SIGNSVC_P11FAULT_MODULE");
    if (path == NULL)
        return;
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL)
        return;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList");
    CK_FUNCTION_LIST_PTR list = NULL;
    if (get == NULL || get(&list) != CKR_OK || list == NULL)
        return;
    real_list = *list;
    fault_list = *list;
    fault_list.C_GetTokenInfo = w_GetTokenInfo;
    fault_list.C_OpenSession = w_OpenSession;
    fault_list.C_GetSessionInfo = w_GetSessionInfo;
    fault_list.C_Login = w_Login;
    fault_list.C_GetAttributeValue = w_GetAttributeValue;
    fault_list.C_FindObjectsInit = w_FindObjectsInit;
    fault_list.C_FindObjects = w_FindObjects;
    fault_list.C_SignInit = w_SignInit;
    fault_list.C_Sign = w_Sign;
    fault_list.C_GenerateKeyPair = w_GenerateKeyPair;
    load_result = CKR_OK;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    if (list == NULL)
        return CKR_ARGUMENTS_BAD;
    pthread_once(&once, load);
    if (load_result != CKR_OK)
        return load_result;
    *list = &fault_list;
    return CKR_OK;
}
