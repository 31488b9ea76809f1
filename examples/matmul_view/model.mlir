// The same neuron as examples/weighted_sum, the way the tutorials write it
// next, as a matrix product, here for a whole batch of rows:
//
//   y = torch.sigmoid(torch.mm(features, weights.view(7, 1)) + bias)
func.func @neuron(%features: tensor<?x7xf32>) -> tensor<?x1xf32> {
  %weights = arith.constant dense<[[0.5, -1.0, 0.25, 2.0, -0.75, 1.5, -0.5]]> : tensor<1x7xf32>
  %bias = arith.constant dense<[[0.125]]> : tensor<1x1xf32>
  %column = soma.reshape %weights {shape = array<i64: 7, 1>} : (tensor<1x7xf32>) -> tensor<7x1xf32>
  %product = soma.matmul %features, %column : (tensor<?x7xf32>, tensor<7x1xf32>) -> tensor<?x1xf32>
  %logit = soma.add %product, %bias : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %y = soma.sigmoid %logit : tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
