// Entry point: parse the options, run the notebook, write Reports/lbdn-sandwich.md.
// Everything else lives in the other files of this folder (globals here are invisible to tests).
import Notebook
import Numerics

PaperRunner.main(LBDN.info, setThreads: { Threads.count = $0 }) { options, report in
    try LBDN.run(options: options, report: report)
}
