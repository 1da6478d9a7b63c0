package direct.sub

b := {"x": 1}
