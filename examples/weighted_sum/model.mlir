// The first network of the PyTorch tutorials, written out by hand:
//
//   features = torch.randn((1, 7)); weights = torch.randn_like(features)
//   bias = torch.randn((1, 1))
//   y = torch.sigmoid(torch.sum(features * weights) + bias)
//
// The sum runs over every element, giving a scalar that broadcasts against
// the [1, 1] bias.
func.func @neuron(%features: tensor<1x7xf32>) -> tensor<1x1xf32> {
  %weights = arith.constant dense<[[0.5, -1.0, 0.25, 2.0, -0.75, 1.5, -0.5]]> : tensor<1x7xf32>
  %bias = arith.constant dense<[[0.125]]> : tensor<1x1xf32>
  %products = soma.mul %features, %weights : (tensor<1x7xf32>, tensor<1x7xf32>) -> tensor<1x7xf32>
  %sum = soma.reduce_sum %products : (tensor<1x7xf32>) -> tensor<f32>
  %logit = soma.add %sum, %bias : (tensor<f32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %y = soma.sigmoid %logit : tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
