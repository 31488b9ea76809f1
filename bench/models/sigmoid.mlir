// Element-wise sigmoid over rows of 1024 floats; soma-bench runs it at
// batch 1024, i.e. 1M elements (4 MiB in, 4 MiB out: beyond L2, within L3).
func.func @sigmoid(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %y = soma.sigmoid %x : tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}
