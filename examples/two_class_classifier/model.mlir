// A two-class classifier over six features,
// `nn.Sequential(nn.Linear(6, 2), nn.Sigmoid())`: one independent
// probability per class.
//
//   soma-run model.mlir --input features.npy
func.func @classify(%features: tensor<?x6xf32>) -> tensor<?x2xf32> {
  %weight = arith.constant dense<[[0.25, -0.5, 0.75, 0.1, -0.2, 0.3],
                                  [-0.4, 0.6, -0.1, 0.2, 0.5, -0.3]]> : tensor<2x6xf32>
  %bias = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %logits = soma.linear %features, %weight, %bias : (tensor<?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %probabilities = soma.sigmoid %logits : tensor<?x2xf32>
  return %probabilities : tensor<?x2xf32>
}
