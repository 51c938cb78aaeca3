package scenarios

import "reflect"

// reflectValue is the addressable value behind pointer p.
func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
