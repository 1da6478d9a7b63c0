package direct.sub.b

c := "deep"
