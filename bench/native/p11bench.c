/*
 * p11bench: the raw PKCS#11 signing rate of a module, as the ceiling our .NET binding is compared with.
 *
 * Usage: p11bench MODULE TOKEN_LABEL PIN_FILE rsa|ec THREADS SECONDS
 * Prints one line: "<signatures per second> <signatures> <seconds>".
 *
 * Loads MODULE with dlopen, C_Initialize with CKF_OS_LOCKING_OK, finds the token by label, logs in (CKU_USER),
 * generates a token key pair like the service does (RSA-2048 or P-256; sensitive, not extractable), then runs THREADS
 * threads, each with its own session, looping C_SignInit + C_Sign (CKM_SHA256_RSA_PKCS over 64 bytes of data, or
 * CKM_ECDSA over a 32-byte hash) for SECONDS after a 1-second warm-up. The key pair is destroyed at the end.
 * Uses the p11-kit PKCS#11 header (v2.40 names, LP64).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR p11;
static CK_SLOT_ID slot;
static CK_OBJECT_HANDLE private_key;
static CK_MECHANISM_TYPE mechanism;
static atomic_int phase; /* 0 warm-up, 1 measuring, 2 stop */

#define CHECK(call)                                                              \
  do {                                                                           \
    CK_RV rv_ = (call);                                                          \
    if (rv_ != CKR_OK) {                                                         \
      fprintf(stderr, "%s failed: 0x%lx\n", #call, (unsigned long)rv_);          \
      exit(2);                                                                   \
    }                                                                            \
  } while (0)

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg) {
  unsigned long *count = arg;
  CK_SESSION_HANDLE session;
  CHECK(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &session));
  unsigned char input[64];
  memset(input, 0x5a, sizeof input);
  CK_ULONG input_len = mechanism == CKM_ECDSA ? 32 : 64;
  unsigned char signature[512];
  CK_MECHANISM mech = {mechanism, NULL, 0};
  while (atomic_load(&phase) < 2) {
    CHECK(p11->C_SignInit(session, &mech, private_key));
    CK_ULONG len = sizeof signature;
    CHECK(p11->C_Sign(session, input, input_len, signature, &len));
    if (atomic_load(&phase) == 1) (*count)++;
  }
  p11->C_CloseSession(session);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s MODULE TOKEN_LABEL PIN_FILE rsa|ec THREADS SECONDS\n", argv[0]);
    return 1;
  }
  const char *label = argv[2];
  int rsa = strcmp(argv[4], "rsa") == 0;
  int threads = atoi(argv[5]);
  double seconds = atof(argv[6]);
  if (threads < 1 || threads > 64 || seconds <= 0) return 1;

  char pin[257] = {0};
  FILE *pf = fopen(argv[3], "r");
  if (!pf || !fgets(pin, sizeof pin, pf)) { fprintf(stderr, "cannot read PIN file\n"); return 1; }
  fclose(pf);
  pin[strcspn(pin, "\r\n")] = 0;

  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
  CK_C_GetFunctionList get_list = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
  if (!get_list) { fprintf(stderr, "no C_GetFunctionList\n"); return 1; }
  CHECK(get_list(&p11));
  CK_C_INITIALIZE_ARGS init = {0};
  init.flags = CKF_OS_LOCKING_OK;
  CHECK(p11->C_Initialize(&init));

  CK_ULONG count = 0;
  CHECK(p11->C_GetSlotList(CK_TRUE, NULL, &count));
  CK_SLOT_ID *slots = calloc(count, sizeof *slots);
  CHECK(p11->C_GetSlotList(CK_TRUE, slots, &count));
  int found = 0;
  for (CK_ULONG i = 0; i < count && !found; i++) {
    CK_TOKEN_INFO info;
    if (p11->C_GetTokenInfo(slots[i], &info) != CKR_OK) continue;
    char padded[32];
    memset(padded, ' ', 32);
    memcpy(padded, label, strlen(label) < 32 ? strlen(label) : 32);
    if (memcmp(info.label, padded, 32) == 0) { slot = slots[i]; found = 1; }
  }
  free(slots);
  if (!found) { fprintf(stderr, "token '%s' not found\n", label); return 1; }

  CK_SESSION_HANDLE admin;
  CHECK(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &admin));
  CHECK(p11->C_Login(admin, CKU_USER, (unsigned char *)pin, strlen(pin)));
  memset(pin, 0, sizeof pin);

  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  unsigned char id[] = "p11bench-native";
  CK_ULONG bits = 2048;
  unsigned char exponent[] = {1, 0, 1};
  unsigned char p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
  CK_ATTRIBUTE pub_rsa[] = {
      {CKA_TOKEN, &yes, 1}, {CKA_VERIFY, &yes, 1}, {CKA_ID, id, sizeof id - 1},
      {CKA_MODULUS_BITS, &bits, sizeof bits}, {CKA_PUBLIC_EXPONENT, exponent, sizeof exponent}};
  CK_ATTRIBUTE pub_ec[] = {
      {CKA_TOKEN, &yes, 1}, {CKA_VERIFY, &yes, 1}, {CKA_ID, id, sizeof id - 1}, {CKA_EC_PARAMS, p256, sizeof p256}};
  CK_ATTRIBUTE priv[] = {
      {CKA_TOKEN, &yes, 1}, {CKA_PRIVATE, &yes, 1}, {CKA_SENSITIVE, &yes, 1},
      {CKA_EXTRACTABLE, &no, 1}, {CKA_SIGN, &yes, 1}, {CKA_ID, id, sizeof id - 1}};
  CK_MECHANISM gen = {rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, NULL, 0};
  CK_OBJECT_HANDLE public_key;
  CHECK(p11->C_GenerateKeyPair(admin, &gen, rsa ? pub_rsa : pub_ec, rsa ? 5 : 4, priv, 6, &public_key, &private_key));
  mechanism = rsa ? CKM_SHA256_RSA_PKCS : CKM_ECDSA;

  pthread_t tids[64];
  unsigned long counts[64] = {0};
  for (int i = 0; i < threads; i++) pthread_create(&tids[i], NULL, worker, &counts[i]);
  usleep(1000000);
  atomic_store(&phase, 1);
  double start = now();
  usleep((useconds_t)(seconds * 1e6));
  atomic_store(&phase, 2);
  double elapsed = now() - start;
  unsigned long total = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(tids[i], NULL);
    total += counts[i];
  }

  p11->C_DestroyObject(admin, private_key);
  p11->C_DestroyObject(admin, public_key);
  p11->C_Logout(admin);
  p11->C_CloseSession(admin);
  p11->C_Finalize(NULL);
  printf("%.1f %lu %.3f\n", total / elapsed, total, elapsed);
  return 0;
}
