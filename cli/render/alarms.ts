/** The alarm list as a table: member name, member ID, alarm. */
import type { AlarmList } from '../../ops/maintenance/alarms.js';
import { formatTable } from './table.js';

export function renderAlarmList(list: AlarmList): string {
  if (list.alarms.length === 0) return `No alarms raised on ${list.cluster}.\n`;
  return formatTable(
    ['MEMBER', 'ID', 'ALARM'],
    list.alarms.map((alarm) => [alarm.member, alarm.memberId, alarm.alarm]),
  );
}
