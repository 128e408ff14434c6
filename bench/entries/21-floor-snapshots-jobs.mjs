// Reference row: Node with the helper's records parsed and every snapshot a scan judges read, nothing judged, against ps ("jobs" shape).
import { floorSnapshots } from '../lib/floor.mjs';

export default floorSnapshots('jobs');
