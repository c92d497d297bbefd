// Entry point: parse the options, run the notebook, write Reports/edge-of-stability.md.
// Everything else lives in the other files of this folder (globals here are invisible to tests).
import Notebook
import Numerics

PaperRunner.main(EdgeOfStability.info, setThreads: { Threads.count = $0 }) { options, report in
    try EdgeOfStability.run(options: options, report: report)
}
