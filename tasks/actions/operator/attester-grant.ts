import { roleChangeAction } from "./role-change.js";

export default roleChangeAction("grant");
