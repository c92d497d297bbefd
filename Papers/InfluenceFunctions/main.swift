// Entry point: parse the options, run the notebook, write Reports/influence-functions.md.
// Everything else lives in the other files of this folder (globals here are invisible to tests).
import Notebook
import Numerics

PaperRunner.main(InfluenceFunctions.info, setThreads: { Threads.count = $0 }) { options, report in
    try InfluenceFunctions.run(options: options, report: report)
}
