import { caSetEnabledAction } from "./ca-set-enabled.js";

export default caSetEnabledAction(true);
