//===- errors.c - The thread-local last error ---------------------*- C -*-===//
//
// Each thread has its own fixed buffer for the message of its last failure:
// no allocation when reporting a failure (which may be out of memory), no
// lock, and no thread ever sees another's message.
//
//===----------------------------------------------------------------------===//

#include "abi.h"

#include "soma/runtime.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/// Longer messages are truncated; this is far above what generated code
/// writes (a symbol name and a reason).
enum { ERROR_CAPACITY = 512 };

static _Thread_local char lastError[ERROR_CAPACITY];

static const char *defaultMessage(int32_t status) {
  switch (status) {
#define SOMA_STATUS(NAME, VALUE, MESSAGE)                                      \
  case VALUE:                                                                  \
    return MESSAGE;
#include "soma/Status.def"
  }
  return "unknown error";
}

/// Whether `c` continues a UTF-8 sequence rather than starting a character.
static int isContinuationByte(char c) {
  return ((unsigned char)c & 0xC0) == 0x80;
}

/// Copies `text` into `buffer`. A message that does not fit ends in "..."
/// and is cut at a character boundary, so the result stays valid UTF-8 when
/// the input was. memmove: `text` may be the buffer itself.
static void copyTruncated(char *buffer, size_t capacity, const char *text) {
  size_t length = strnlen(text, capacity);
  if (length < capacity) {
    memmove(buffer, text, length + 1);
    return;
  }
  static const char ellipsis[] = "...";
  size_t keep = capacity - sizeof(ellipsis);
  while (keep > 0 && isContinuationByte(text[keep]))
    --keep;
  memmove(buffer, text, keep);
  memcpy(buffer + keep, ellipsis, sizeof(ellipsis));
}

void soma_rt_set_error(int32_t status, void *message) {
  if (status == SOMA_OK) {
    soma_rt_clear_error();
    return;
  }
  const char *text = message ? (const char *)message : defaultMessage(status);
  copyTruncated(lastError, sizeof(lastError), text);
}

void soma_rt_set_error_quoting(int32_t status, void *message, void *subject) {
  // One byte more than the buffer holds, so that copyTruncated sees when
  // snprintf had to cut the text.
  char text[ERROR_CAPACITY + 1];
  snprintf(text, sizeof(text), "%s '%s'",
           message ? (const char *)message : defaultMessage(status),
           subject ? (const char *)subject : "(null)");
  soma_rt_set_error(status, text);
}

void soma_rt_clear_error(void) { lastError[0] = '\0'; }

void *soma_rt_last_error(void) { return lastError; }
