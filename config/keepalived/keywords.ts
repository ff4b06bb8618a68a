/**
 * keepalived's keyword tree (2.2.x: keepalived.conf(5) of Debian's 2.2.7 and the install_keyword
 * tables of keepalived's parsers, plus deprecated spellings it still accepts and a few 1.x ones),
 * so that every keyword of a real configuration is either translated, reported as not supported
 * yet, or reported as unknown (a likely typo). Support is added keyword by keyword by giving a
 * spec a handler (see global-defs-handlers.ts); the walker in translate.ts never changes.
 */
import { CHECKER_CHILD_HANDLERS, CHECKER_HANDLERS, REAL_SERVER_HEALTH_HANDLERS, URL_HANDLERS, VIRTUAL_SERVER_HEALTH_HANDLERS } from './checker-handlers.js';
import { GLOBAL_DEFS_IPVS_HANDLERS, REAL_SERVER_HANDLERS, TOP_LEVEL_IPVS_HANDLERS, VIRTUAL_SERVER_HANDLERS } from './ipvs-handlers.js';
import {
  GLOBAL_DEFS_VRRP_HANDLERS,
  SYNC_GROUP_HANDLERS,
  TOP_LEVEL_VRRP_HANDLERS,
  TRACK_FILE_HANDLERS,
  VRRP_INSTANCE_HANDLERS,
  VRRP_SCRIPT_HANDLERS,
} from './vrrp-handlers.js';
import { GLOBAL_DEFS_HANDLERS, globalDefsHandler } from './global-defs-handlers.js';
import type { KeywordHandler } from './translate-context.js';

/**
 * - `value`: a statement without a block (`priority 100`).
 * - `block`: a block of keywords (`vrrp_instance VI_1 { ... }`).
 * - `list`: a block of values, one item per line, not keywords (`virtual_ipaddress { ... }`).
 */
export type KeywordKind = 'value' | 'block' | 'list';

export interface KeywordSpec {
  readonly name: string;
  readonly kind: KeywordKind;
  /** Keywords allowed inside a `block`. */
  readonly children?: KeywordTable;
  /** Present once lvsd translates the keyword; absent means "known, not supported yet". */
  readonly handler?: KeywordHandler;
}

export type KeywordTable = ReadonlyMap<string, KeywordSpec>;

const values = (names: string): KeywordSpec[] => words(names).map((name) => ({ name, kind: 'value' }));
const lists = (names: string): KeywordSpec[] => words(names).map((name) => ({ name, kind: 'list' }));
const block = (names: string, children: readonly KeywordSpec[]): KeywordSpec[] =>
  words(names).map((name) => ({ name, kind: 'block', children: toTable(children) }));

function words(names: string): string[] {
  return names.trim().split(/\s+/);
}

function toTable(specs: readonly KeywordSpec[]): KeywordTable {
  return new Map(specs.map((s) => [s.name, s]));
}

function withHandlers(specs: readonly KeywordSpec[], handlers: Readonly<Record<string, KeywordHandler>>): KeywordSpec[] {
  return specs.map((s) => {
    const handler = handlers[s.name];
    return handler === undefined ? s : { ...s, handler };
  });
}

const GLOBAL_DEFS: readonly KeywordSpec[] = withHandlers(
  [
    ...values(`router_id notification_email_from smtp_server smtp_helo_name smtp_connect_timeout
      script_user enable_script_security`),
    ...lists('notification_email'),
    ...values(`process_names process_name vrrp_process_name checker_process_name lvs_process_name bfd_process_name
      smtp_alert smtp_alert_vrrp smtp_alert_checker no_email_faults no_checker_emails checker_log_all_failures
      startup_script startup_script_timeout shutdown_script shutdown_script_timeout
      max_auto_priority min_auto_priority_delay dynamic_interfaces default_interface disable_local_igmp
      lvs_timeouts lvs_flush lvs_flush_on_stop lvs_flush_onstop lvs_sync_daemon
      vrrp_mcast_group4 vrrp_mcast_group6 vrrp_garp_master_delay vrrp_garp_master_repeat vrrp_garp_master_refresh
      vrrp_garp_master_refresh_repeat vrrp_garp_lower_prio_delay vrrp_garp_lower_prio_repeat vrrp_garp_interval
      vrrp_gna_interval vrrp_min_garp vrrp_garp_extra_if vrrp_vmac_garp_intvl vrrp_lower_prio_no_advert
      vrrp_higher_prio_send_advert vrrp_version vrrp_down_timer_adverts vrrp_iptables vrrp_ipsets
      nftables nftables_priority nftables_ifindex nftables_counters nftables_ipvs nftables_ipvs_priority
      nftables_ipvs_start_fwmark vrrp_check_unicast_src vrrp_skip_check_adv_addr vrrp_strict
      vrrp_priority vrrp_no_swap vrrp_rt_priority vrrp_cpu_affinity vrrp_rlimit_rttime vrrp_rlimit_rtime
      checker_priority checker_no_swap checker_rt_priority checker_cpu_affinity checker_rlimit_rttime checker_rlimit_rtime
      bfd_priority bfd_no_swap bfd_rt_priority bfd_cpu_affinity bfd_rlimit_rttime bfd_rlimit_rtime
      notify_fifo notify_fifo_script vrrp_notify_fifo vrrp_notify_fifo_script vrrp_notify_priority_changes
      lvs_notify_fifo lvs_notify_fifo_script fifo_write_vrrp_states_on_reload
      snmp_socket enable_traps enable_snmp_vrrp enable_snmp_keepalived enable_snmp_rfc enable_snmp_rfcv2
      enable_snmp_rfcv3 enable_snmp_checker enable_dbus dbus_service_name
      vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs
      vrrp_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs process_monitor_rcv_bufs_force
      lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs
      lvs_netlink_monitor_rcv_bufs_force rs_init_notifies vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier
      vrrp_startup_delay log_unknown_vrids vmac_prefix vmac_addr_prefix umask random_seed
      reload_check_config reload_time_file reload_repeat reload_file include_check
      tmp_config_directory config_save_dir data_use_instance iproute_usr_dir iproute_etc_dir
      set_supplementary_groups use_symlink_paths lvs_id`),
  ],
  { ...GLOBAL_DEFS_HANDLERS, ...GLOBAL_DEFS_VRRP_HANDLERS, ...GLOBAL_DEFS_IPVS_HANDLERS },
);

const TRACKERS = lists('track_interface track_script track_file track_process track_bfd');
const NOTIFY = values('notify_master notify_backup notify_fault notify_stop notify_deleted notify smtp_alert notify_priority_changes');

const VRRP_SYNC_GROUP: readonly KeywordSpec[] = withHandlers(
  [...lists('group'), ...TRACKERS, ...NOTIFY, ...values('global_tracking sync_group_tracking_weight')],
  SYNC_GROUP_HANDLERS,
);

const VRRP_INSTANCE: readonly KeywordSpec[] = withHandlers([
  ...values(`state interface vrf use_vmac use_vmac_addr vmac_xmit_base use_ipvlan native_ipv6 dont_track_primary
    mcast_src_ip unicast_src_ip mcast_dst_ip track_src_ip version check_unicast_src unicast_fault_no_peer
    unicast_ttl old_unicast_checksum virtual_router_id priority advert_int promote_secondaries
    no_virtual_ipaddress accept no_accept preempt nopreempt preempt_delay skip_check_adv_addr strict_mode
    debug notify_master_rx_lower_pri lvs_sync_daemon_interface garp_master_delay garp_master_repeat
    garp_master_refresh garp_master_refresh_repeat garp_lower_prio_delay garp_lower_prio_repeat
    garp_extra_if vmac_garp_intvl down_timer_adverts lower_prio_no_advert higher_prio_send_advert
    kernel_rx_buf_size linkbeat_use_polling timer_expired_backup v3_checksum_as_v2`),
  ...NOTIFY,
  ...TRACKERS,
  ...lists('unicast_peer virtual_ipaddress virtual_ipaddress_excluded virtual_routes virtual_rules'),
  ...block('authentication', values('auth_type auth_pass')),
], VRRP_INSTANCE_HANDLERS);

const CHECKER_COMMON = values(`connect_ip connect_port bindto bind_if bind_port fwmark connect_timeout retry
  delay_before_retry warmup delay_loop alpha log_all_failures nb_get_retry`);

const URL = block('url', withHandlers(values('path digest status_code virtualhost regex regex_no_match regex_options regex_stack regex_min_offset regex_max_offset'), URL_HANDLERS));

/** One checker block, its children translated by checker-handlers.ts where supported. */
const checkerBlock = (name: string, extra: readonly KeywordSpec[]): KeywordSpec[] =>
  block(name, withHandlers([...CHECKER_COMMON, ...extra], CHECKER_CHILD_HANDLERS[name] ?? {}));

const CHECKERS: readonly KeywordSpec[] = withHandlers(
  [
    ...checkerBlock('TCP_CHECK', []),
    ...checkerBlock('PING_CHECK', []),
    ...checkerBlock('HTTP_GET', [...values('http_protocol fast_recovery virtualhost'), ...URL]),
    ...checkerBlock('SSL_GET', [...values('http_protocol fast_recovery virtualhost enable_sni sni_name tls_compliant'), ...URL]),
    ...checkerBlock('SMTP_CHECK', [...values('helo_name'), ...block('host', CHECKER_COMMON)]),
    ...checkerBlock('DNS_CHECK', values('type name')),
    ...checkerBlock('MISC_CHECK', values('misc_path misc_timeout misc_dynamic user')),
    ...checkerBlock('UDP_CHECK', values('payload require_reply min_reply_length max_reply_length')),
    ...checkerBlock('FILE_CHECK', values('track_file dynamic weight')),
    ...block('BFD_CHECK', [...CHECKER_COMMON, ...values('name weight')]),
  ],
  CHECKER_HANDLERS,
);

const SERVER_TIMING = values('retry delay_before_retry warmup connect_timeout delay_loop inhibit_on_failure alpha smtp_alert virtualhost snmp_name');

const REAL_SERVER: readonly KeywordSpec[] = withHandlers([
  ...SERVER_TIMING,
  ...values('weight lvs_method uthreshold lthreshold notify_up notify_down'),
  ...CHECKERS,
], { ...REAL_SERVER_HANDLERS, ...REAL_SERVER_HEALTH_HANDLERS });

const VIRTUAL_SERVER: readonly KeywordSpec[] = withHandlers([
  ...SERVER_TIMING,
  ...values(`ip_family lb_algo lvs_sched hashed ops flag-1 flag-2 flag-3 sh-port sh-fallback mh-port mh-fallback
    lb_kind lvs_method persistence_engine persistence_timeout persistence_granularity protocol ha_suspend
    omega quorum quorum_up quorum_down hysteresis weight sorry_server sorry_server_inhibit sorry_server_lvs_method
    nat_mask`),
  ...block('real_server', REAL_SERVER),
], { ...VIRTUAL_SERVER_HANDLERS, ...VIRTUAL_SERVER_HEALTH_HANDLERS });

const ROOT: readonly KeywordSpec[] = withHandlers(
  [
    ...block('global_defs', GLOBAL_DEFS),
    ...values('linkbeat_use_polling net_namespace net_namespace_ipvs namespace_with_ipsets use_pid_dir instance child_wait_time'),
    ...lists('linkbeat_interfaces static_ipaddress static_routes static_rules interface_up_down_delays virtual_server_group'),
    ...block('track_group', lists('group')),
    ...block('vrrp_sync_group', VRRP_SYNC_GROUP),
    ...block('garp_group', [...values('garp_interval gna_interval interface'), ...lists('interfaces')]),
    ...block('vrrp_instance', VRRP_INSTANCE),
    ...block('vrrp_script', withHandlers(values('script interval timeout weight rise fall user init_fail'), VRRP_SCRIPT_HANDLERS)),
    ...block('vrrp_track_process track_process', values('process param_match weight quorum quorum_max delay terminate_delay fork_delay full_command')),
    ...block('track_file vrrp_track_file', withHandlers(values('file weight init_file'), TRACK_FILE_HANDLERS)),
    ...block('bfd_instance', values('neighbor_ip source_ip min_rx min_tx idle_tx multiplier passive ttl hoplimit max_hops weight vrrp checker')),
    ...block('SSL', values('password ca certificate key')),
    ...block('virtual_server', VIRTUAL_SERVER),
  ],
  { global_defs: globalDefsHandler, ...TOP_LEVEL_VRRP_HANDLERS, ...TOP_LEVEL_IPVS_HANDLERS },
);

/** The top level of keepalived.conf. */
export const KEEPALIVED_KEYWORDS: KeywordTable = toTable(ROOT);

/** Every keyword name anywhere in a tree, to tell "misplaced" from "unknown". */
export function allKeywordNames(table: KeywordTable): Set<string> {
  const names = new Set<string>();
  const pending: KeywordTable[] = [table];
  const seen = new Set<KeywordTable>();
  for (let t = pending.pop(); t !== undefined; t = pending.pop()) {
    if (seen.has(t)) continue;
    seen.add(t);
    for (const spec of t.values()) {
      names.add(spec.name);
      if (spec.children !== undefined) pending.push(spec.children);
    }
  }
  return names;
}
