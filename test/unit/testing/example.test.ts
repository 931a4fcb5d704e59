// Runs the documented example (examples/testing/) with the node tests, so it cannot rot.
import "../../../examples/testing/app.test.js";
