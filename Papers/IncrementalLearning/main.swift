// Entry point: parse the options, run the notebook, write Reports/incremental-learning.md.
// Everything else lives in the other files of this folder (globals here are invisible to tests).
import Notebook
import Numerics

PaperRunner.main(IncrementalLearning.info, setThreads: { Threads.count = $0 }) { options, report in
    try IncrementalLearning.run(options: options, report: report)
}
