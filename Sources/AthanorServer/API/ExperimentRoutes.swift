import Athanor
import Hummingbird

extension APIRoutes {
    func addExperimentRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/experiments") { _, _ in
            JSONResponse.make(.array(lab.registry.experiments.map(ExperimentRegistry.json(of:))))
        }
    }
}
