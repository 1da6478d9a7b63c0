package direct.import_whole

import data.direct.lib2

metadata := {"code": "DIR030", "name": "import-whole", "severity": "error", "summary": "an imported package is evaluated whole"}

deny contains "good" if lib2.good
