// Logistic regression: the probability of passing an exam from the hours
// studied, as `nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())` after training.
//
//   soma-run model.mlir --input hours.npy
func.func @predict(%hours: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %weight = arith.constant dense<[[1.5]]> : tensor<1x1xf32>
  %bias = arith.constant dense<[-4.0]> : tensor<1xf32>
  %logit = soma.linear %hours, %weight, %bias : (tensor<?x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<?x1xf32>
  %probability = soma.sigmoid %logit : tensor<?x1xf32>
  return %probability : tensor<?x1xf32>
}
