// Entry point: parse the options, run the notebook, write Reports/muon-lipschitz.md.
// Everything else lives in the other files of this folder (globals here are invisible to tests).
import Notebook
import Numerics

PaperRunner.main(MuonLipschitz.info, setThreads: { Threads.count = $0 }) { options, report in
    try MuonLipschitz.run(options: options, report: report)
}
