// Reference row: as entry 21, with the "workers" shape.
import { floorSnapshots } from '../lib/floor.mjs';

export default floorSnapshots('workers');
