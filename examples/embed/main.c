// Two Soma models compiled with somac and called from one C program.
//
// exam.h and classifier.h are written by somac (see CMakeLists.txt); every
// symbol of the first model starts with exam_, of the second with
// classifier_, so both libraries, each with its own runtime, link into this
// program side by side.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "exam.h"

// Prints why a call failed. Every entry point returns SOMA_OK (0) or a
// soma_status; the model's *_last_error() then says why, on this thread.
static int failed(const char *what, int32_t status, const char *(*last_error)(void)) {
  if (status == SOMA_OK)
    return 0;
  fprintf(stderr, "%s failed: status %d: %s\n", what, (int)status, last_error());
  return 1;
}

// exam_predict: the probability of passing an exam after some hours of
// study, sigmoid(1.5 * hours - 4). Signature (from exam.h):
//   int32_t exam_predict(const float *a0, float *r0, int64_t batch);
// a0 is [batch, 1], r0 is [batch, 1].
static int run_exam(void) {
  enum { BATCH = 4 };
  const float hours[BATCH][1] = {{1.0f}, {2.0f}, {4.0f}, {6.0f}};
  float pass[BATCH][1];

  if (failed("exam_predict", exam_predict(&hours[0][0], &pass[0][0], BATCH), exam_last_error))
    return 1;
  printf("exam_predict, batch %d:\n", BATCH);
  for (int i = 0; i < BATCH; ++i)
    printf("  %.1f hours -> pass probability %.6f\n", hours[i][0], pass[i][0]);
  return 0;
}

// classifier_classify: six features per row in, one probability per class
// out. a0 is [batch, 6], r0 is [batch, 2].
static int run_classifier(void) {
  enum { BATCH = 3, FEATURES = 6, CLASSES = 2 };
  const float features[BATCH][FEATURES] = {
      {0.5f, 1.0f, -1.0f, 1.0f, -1.0f, 0.5f},
      {1.0f, 0.0f, 0.5f, -1.0f, 0.5f, 2.0f},
      {-1.0f, 1.0f, -1.0f, 1.0f, 0.0f, 0.0f},
  };
  float probabilities[BATCH][CLASSES];

  if (failed("classifier_classify",
             classifier_classify(&features[0][0], &probabilities[0][0], BATCH),
             classifier_last_error))
    return 1;
  printf("classifier_classify, batch %d:\n", BATCH);
  for (int i = 0; i < BATCH; ++i)
    printf("  row %d -> class 0 %.6f, class 1 %.6f\n", i, probabilities[i][0],
           probabilities[i][1]);

  // The same call through the generic entry point: buffers hold the inputs,
  // then the outputs, in the order *_model_info() lists them; the function
  // name is the model's, without the prefix. The buffers are not const
  // because outputs are written through them; inputs are only read.
  float again[BATCH][CLASSES];
  float *buffers[] = {(float *)&features[0][0], &again[0][0]};
  if (failed("classifier_invoke", classifier_invoke("classify", buffers, BATCH),
             classifier_last_error))
    return 1;
  printf("classifier_invoke(\"classify\") gives the same results: %s\n",
         memcmp(again, probabilities, sizeof again) == 0 ? "yes" : "no");
  return 0;
}

// Calls that fail on purpose: the status says what kind of failure, the
// message says which call and which argument.
static void show_failures(void) {
  float out[1];
  int32_t status = exam_predict(NULL, out, 1);
  printf("exam_predict(NULL input) -> status %d (SOMA_ERROR_NULL_POINTER is %d): %s\n",
         (int)status, SOMA_ERROR_NULL_POINTER, exam_last_error());

  const float in[1] = {2.0f};
  status = exam_predict(in, out, -1);
  printf("exam_predict(batch -1) -> status %d (SOMA_ERROR_INVALID_BATCH is %d): %s\n",
         (int)status, SOMA_ERROR_INVALID_BATCH, exam_last_error());

  float *buffers[] = {(float *)in, out};
  status = classifier_invoke("no_such_function", buffers, 1);
  printf("classifier_invoke(\"no_such_function\") -> status %d "
         "(SOMA_ERROR_UNKNOWN_FUNCTION is %d): %s\n",
         (int)status, SOMA_ERROR_UNKNOWN_FUNCTION, classifier_last_error());
}

int main(void) {
  // JSON describing each entry point: inputs and outputs with their shapes
  // (-1 is the batch dimension) and dtypes.
  printf("exam_model_info: %s\n", exam_model_info());
  printf("classifier_model_info: %s\n", classifier_model_info());

  if (run_exam() || run_classifier())
    return EXIT_FAILURE;
  show_failures();
  return EXIT_SUCCESS;
}
