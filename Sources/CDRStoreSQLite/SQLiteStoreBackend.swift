import CDRStore
