"""The composition app, at the top of the layers: what spans apps (the periodic-job runner, the
background worker that survives faults). It may import every app; no app imports it."""
