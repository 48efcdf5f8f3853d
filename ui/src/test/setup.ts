// How long Testing Library's findBy/waitFor wait for the condition a test names (a bound, not a
// speed goal): generous, so a busy machine makes a test slower, never red.
import { configure } from "@testing-library/dom";

configure({ asyncUtilTimeout: 5000 });
