"""Open data: the plan and its follow-up as a Frictionless data package (schemas described in French, CSV in the open-data convention), written to a folder or zipped."""
