import Athanor
import Hummingbird

extension APIRoutes {
    func addExperimentRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/experiments") { _, _ in
            JSONResponse.make(.array(lab.experiments().experiments.map(ExperimentRegistry.json(of:))))
        }
        router.get("/api/experiments/broken") { _, _ in
            JSONResponse.make(.array(lab.experiments().problems.map(\.json)))
        }
    }
}
