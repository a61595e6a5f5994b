// DVC Sync dashboard: indicator 1.4 by agency, its daily trend, the unsynced dossiers and the pipeline's health.
// Every figure comes from the API with the key the user types in; the key lives in sessionStorage only and
// travels in the x-functions-key header, never in a URL. No library, no network beyond this app.
'use strict';

(function () {
  const API_BASE = (location.pathname.match(/^(.*)\/dashboard(?:\/.*)?$/) || [null, '/api'])[1] || '/api';
  const KEY_ITEM = 'dvcsync.dashboard.key';
  const LANG_ITEM = 'dvcsync.dashboard.lang';
  const TZ = 'Asia/Ho_Chi_Minh';
  const PAGE_LIMIT = 500;        // the API's largest page
  const MAX_UNSYNCED = 5000;     // beyond this the list says it is partial and asks for a narrower period
  const ROWS_STEP = 50;
  const MAX_DAYS = 366;
  const STATES = ['pending', 'retrying', 'rejected', 'abandoned'];

  const TEXT = {
    vi: {
      title: 'Tỷ lệ đồng bộ hồ sơ lên Cổng DVCQG',
      subtitle: 'Chỉ số 1.4 · Bộ chỉ số 766/QĐ-TTg',
      changeKey: 'Đổi khóa',
      keyTitle: 'Nhập khóa truy cập',
      keyHelp: 'Trang này không chứa số liệu: mọi con số đều được đọc từ API của hệ thống bằng khóa bạn nhập.',
      keyLabel: 'Khóa API (x-functions-key)',
      keyNote: 'Khóa chỉ được giữ trong phiên trình duyệt này (sessionStorage), được gửi trong tiêu đề x-functions-key, không bao giờ nằm trên địa chỉ trang, và mất khi đóng thẻ.',
      keyMissing: 'Hãy nhập khóa.',
      connect: 'Kết nối',
      from: 'Từ ngày', to: 'Đến ngày', apply: 'Xem số liệu', datePlaceholder: 'dd/mm/yyyy',
      presets: 'Kỳ nhanh', lastWeek: 'Tuần trước', thisMonth: 'Tháng này', lastMonth: 'Tháng trước', thisQuarter: 'Quý này', thisYear: 'Năm nay',
      breadcrumb: 'Cấp đơn vị',
      invalidFrom: 'Ngày bắt đầu không hợp lệ: nhập theo dạng dd/mm/yyyy.',
      invalidTo: 'Ngày kết thúc không hợp lệ: nhập theo dạng dd/mm/yyyy.',
      rangeOrder: 'Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.',
      rangeTooLong: 'Kỳ báo cáo dài tối đa 366 ngày.',
      rate: 'Tỷ lệ đồng bộ', rateShort: 'Tỷ lệ', received: 'Tiếp nhận', synced: 'Đã đồng bộ', notSynced: 'Chưa đồng bộ',
      receivedSub: 'hồ sơ tiếp nhận trong kỳ', syncedSub: 'hồ sơ Cổng DVCQG đã có', notSyncedSub: '= Tiếp nhận − Đã đồng bộ',
      points: 'Điểm chỉ số: {p} / {max}',
      period: 'Kỳ {from} – {to}',
      asOf: 'Số liệu tính đến {t}',
      asOfNone: 'Chưa có lần đối soát nào hoàn tất',
      sourceLedger: 'Hệ thống một cửa của tỉnh chưa trả lời số hồ sơ tiếp nhận: số “Tiếp nhận” đang tính từ các hồ sơ hệ thống đã thấy, là mức tối thiểu.',
      views: 'Báo cáo', tabSync: 'Tỷ lệ đồng bộ (1.4)', tabScorecard: 'Bảng điểm 766', print: 'In báo cáo', csv: 'Tải CSV',
      trendMonthly: 'Diễn biến theo tháng', monthTip: 'Tháng {m}: tiếp nhận {r}, đã đồng bộ {s}, tỷ lệ {rate}',
      trendMonthlyAria: 'Biểu đồ theo tháng từ {from} đến {to}: số hồ sơ tiếp nhận, đã đồng bộ và tỷ lệ đồng bộ.',
      noSeries: 'Không có số liệu theo ngày hay theo tháng cho kỳ này.',
      gapNote: '“Chưa đồng bộ” (Tiếp nhận − Đã đồng bộ) có thể lớn hơn số hồ sơ trong danh sách: số tiếp nhận theo báo cáo của hệ thống một cửa gồm cả những hồ sơ mà API của hệ thống này chưa từng cung cấp, nên không có mã hồ sơ để liệt kê hay đồng bộ lại.',
      gapCount: 'Trong kỳ này: {gap} hồ sơ chưa đồng bộ, {listed} hồ sơ trong danh sách.',
      csvAgencyCode: 'Mã đơn vị', csvRate: 'Tỷ lệ đồng bộ (%)', csvAgencyName: 'Tên đơn vị',
      trend: 'Diễn biến theo ngày', legendSynced: 'Đã đồng bộ', legendUnsynced: 'Chưa đồng bộ', legendRate: 'Tỷ lệ đồng bộ',
      trendAria: 'Biểu đồ theo ngày từ {from} đến {to}: số hồ sơ tiếp nhận, đã đồng bộ và tỷ lệ đồng bộ.',
      dayTip: '{d}: tiếp nhận {r}, đã đồng bộ {s}, tỷ lệ {rate}',
      agencies: 'Theo đơn vị', agenciesOf: 'Đơn vị trực thuộc {name}', agency: 'Đơn vị',
      drillHint: 'Bấm tên đơn vị để xem các đơn vị trực thuộc.',
      noChildren: 'Không có đơn vị trực thuộc nào có hồ sơ trong kỳ.',
      drillTo: 'Xem các đơn vị trực thuộc {name}',
      unsyncedTitle: 'Hồ sơ chưa đồng bộ', filterAgency: 'Đơn vị', filterState: 'Tình trạng', stateBreakdown: 'Theo tình trạng',
      allAgencies: 'Tất cả ({name})', allStates: 'Tất cả tình trạng ({n})',
      'state.pending': 'Chờ đồng bộ', 'state.retrying': 'Đang thử lại', 'state.rejected': 'Bị từ chối', 'state.abandoned': 'Đã dừng thử',
      'stateHelp.pending': 'Phát hiện thiếu trên Cổng, chưa gửi lại',
      'stateHelp.retrying': 'Lỗi tạm thời, hệ thống sẽ tự gửi lại',
      'stateHelp.rejected': 'Cổng từ chối dữ liệu: cần sửa trên hệ thống một cửa',
      'stateHelp.abandoned': 'Lỗi kéo dài quá thời hạn: cần cán bộ vận hành xử lý',
      colCode: 'Mã hồ sơ', colAgency: 'Đơn vị', colReceivedAt: 'Ngày tiếp nhận', colStatus: 'Trạng thái hồ sơ',
      colState: 'Tình trạng', colAttempts: 'Lần thử', colReason: 'Lý do', colNext: 'Thử lại lúc',
      unsyncedShown: 'Hiển thị {shown} / {total} hồ sơ',
      unsyncedLoading: 'Đang tải danh sách… ({n} hồ sơ)',
      unsyncedTruncated: 'Chỉ tải {n} hồ sơ đầu tiên: hãy thu hẹp kỳ hoặc chọn một đơn vị để xem hết.',
      noUnsynced: 'Không có hồ sơ nào chưa đồng bộ trong kỳ.',
      noUnsyncedFiltered: 'Không có hồ sơ nào ở tình trạng này.',
      showMore: 'Xem thêm {n} hồ sơ',
      unsyncedFailed: 'Không tải được danh sách hồ sơ chưa đồng bộ: {detail}',
      health: 'Tình trạng hệ thống', healthy: 'Hoạt động tốt', degraded: 'Cần chú ý', unhealthy: 'Có sự cố',
      lastRun: 'Lần đối soát gần nhất', started: 'Bắt đầu', finished: 'Kết thúc', checked: 'Hồ sơ đã kiểm tra', mismatches: 'Sai lệch phát hiện',
      repairs: 'Đồng bộ lại', queue: 'Hàng đợi', poison: 'Thông điệp lỗi (poison)',
      freshness: 'Độ kịp thời (1 giờ qua)', freshP50: 'Trung vị', freshP95: 'Phân vị 95', freshMax: 'Lâu nhất', freshCount: 'Hồ sơ được xác nhận',
      freshWaiting: 'Hồ sơ đang chờ đồng bộ lại', freshOldest: 'Thay đổi chờ lâu nhất', seconds: '{n} giây', waitedSince: '{time} (đã chờ {n} giây)',
      portal: 'Cổng DVCQG', circuit: 'Kết nối', circuitClosed: 'Bình thường', circuitOpen: 'Tạm ngắt', lastSuccess: 'Thành công gần nhất',
      checkedAt: 'Kiểm tra lúc', none: 'Chưa có', healthFailed: 'Không đọc được tình trạng hệ thống: {detail}',
      audit: 'Kiểm tra toàn bộ', auditPeriod: 'Kỳ tiếp nhận', auditStatus: 'Trạng thái', auditProgress: 'Tiến độ', auditRate: 'Tốc độ tra cứu',
      auditLeft: 'Thời gian còn lại', auditFound: 'Thiếu hoặc lệch', auditError: 'Lỗi gần nhất',
      queued: 'Đang chờ', running: 'Đang chạy', cancelled: 'Đã huỷ', perSecond: '{n} lượt/giây', aboutMinutes: 'khoảng {n} phút',
      loading: 'Đang tải số liệu…', loadingDetail: 'Đang đọc chỉ số, danh sách hồ sơ và tình trạng hệ thống từ API.',
      empty: 'Không có hồ sơ tiếp nhận trong kỳ này', emptyDetail: 'Không có hồ sơ nào được tiếp nhận từ {from} đến {to}{scope}. Hãy chọn kỳ khác.',
      unauthorized: 'Khóa truy cập không đúng hoặc đã bị thu hồi (HTTP 401). Hãy nhập lại khóa.',
      unreachable: 'Không kết nối được tới API', unreachableDetail: 'Máy chủ không phản hồi hoặc mạng bị gián đoạn. Kiểm tra kết nối rồi thử lại.',
      serverError: 'Máy chủ API gặp lỗi (HTTP {status})', serverErrorDetail: 'Thử lại sau ít phút. {detail}',
      requestError: 'Không đọc được số liệu (HTTP {status})',
      retry: 'Thử lại',
      footer: 'Số liệu đọc trực tiếp từ API của hệ thống DVC Sync. Trang không hiển thị thông tin cá nhân.',
      status: { 1: 'Mới đăng ký', 2: 'Được tiếp nhận', 3: 'Không được tiếp nhận', 4: 'Đang xử lý', 5: 'Yêu cầu bổ sung', 6: 'Yêu cầu nộp phí', 7: 'Rút hồ sơ', 8: 'Dừng xử lý', 9: 'Đã xử lý xong', 10: 'Đã trả kết quả' },
    },
    en: {
      title: 'Dossier sync rate to the National Public Service Portal',
      subtitle: 'Indicator 1.4 · Decision 766/QĐ-TTg indicator set',
      changeKey: 'Change key',
      keyTitle: 'Enter your access key',
      keyHelp: 'This page holds no data: every figure is read from the system\'s API with the key you enter.',
      keyLabel: 'API key (x-functions-key)',
      keyNote: 'The key is kept in this browser session only (sessionStorage), sent in the x-functions-key header, never put in the page address, and gone when the tab closes.',
      keyMissing: 'Enter a key.',
      connect: 'Connect',
      from: 'From', to: 'To', apply: 'Show figures', datePlaceholder: 'yyyy-mm-dd',
      presets: 'Quick periods', lastWeek: 'Last week', thisMonth: 'This month', lastMonth: 'Last month', thisQuarter: 'This quarter', thisYear: 'This year',
      breadcrumb: 'Agency level',
      invalidFrom: 'The start date is not a date: use yyyy-mm-dd (or dd/mm/yyyy).',
      invalidTo: 'The end date is not a date: use yyyy-mm-dd (or dd/mm/yyyy).',
      rangeOrder: 'The start date must not be after the end date.',
      rangeTooLong: 'A period covers at most 366 days.',
      rate: 'Sync rate', rateShort: 'Rate', received: 'Received', synced: 'Synced', notSynced: 'Not synced',
      receivedSub: 'dossiers received in the period', syncedSub: 'dossiers the portal holds', notSyncedSub: '= Received − Synced',
      points: 'Indicator points: {p} / {max}',
      period: 'Period {from} – {to}',
      asOf: 'Figures as of {t}',
      asOfNone: 'No reconciliation has finished yet',
      sourceLedger: 'The provincial system did not give its received counts: "Received" counts the dossiers this system has seen, a floor of the true figure.',
      views: 'Reports', tabSync: 'Sync rate (1.4)', tabScorecard: '766 scorecard', print: 'Print report', csv: 'Download CSV',
      trendMonthly: 'Monthly trend', monthTip: '{m}: received {r}, synced {s}, rate {rate}',
      trendMonthlyAria: 'Monthly chart from {from} to {to}: dossiers received, synced and the sync rate.',
      noSeries: 'No daily or monthly figures for this period.',
      gapNote: '"Not synced" (Received − Synced) can exceed the dossiers listed: the received count is the provincial system\'s report, which includes dossiers its API never exposed — they have no code to list or to sync again.',
      gapCount: 'In this period: {gap} dossiers not synced, {listed} listed.',
      csvAgencyCode: 'Agency code', csvRate: 'Sync rate (%)', csvAgencyName: 'Agency name',
      trend: 'Daily trend', legendSynced: 'Synced', legendUnsynced: 'Not synced', legendRate: 'Sync rate',
      trendAria: 'Daily chart from {from} to {to}: dossiers received, synced and the sync rate.',
      dayTip: '{d}: received {r}, synced {s}, rate {rate}',
      agencies: 'By agency', agenciesOf: 'Agencies under {name}', agency: 'Agency',
      drillHint: 'Select an agency\'s name to see the agencies under it.',
      noChildren: 'No agency under this one received dossiers in the period.',
      drillTo: 'Show the agencies under {name}',
      unsyncedTitle: 'Unsynced dossiers', filterAgency: 'Agency', filterState: 'State', stateBreakdown: 'By state',
      allAgencies: 'All ({name})', allStates: 'All states ({n})',
      'state.pending': 'Pending', 'state.retrying': 'Retrying', 'state.rejected': 'Rejected', 'state.abandoned': 'Abandoned',
      'stateHelp.pending': 'Found missing on the portal, not yet sent again',
      'stateHelp.retrying': 'Transient failures; will be sent again automatically',
      'stateHelp.rejected': 'The portal refused the data: fix it in the provincial system',
      'stateHelp.abandoned': 'Failing for longer than the give-up time: needs an operator',
      colCode: 'Dossier code', colAgency: 'Agency', colReceivedAt: 'Received', colStatus: 'Dossier status',
      colState: 'State', colAttempts: 'Attempts', colReason: 'Reason', colNext: 'Next attempt',
      unsyncedShown: 'Showing {shown} of {total} dossiers',
      unsyncedLoading: 'Loading the list… ({n} dossiers)',
      unsyncedTruncated: 'Only the first {n} dossiers were loaded: narrow the period or pick an agency to see them all.',
      noUnsynced: 'No unsynced dossiers in the period.',
      noUnsyncedFiltered: 'No dossier is in this state.',
      showMore: 'Show {n} more',
      unsyncedFailed: 'The unsynced list could not be loaded: {detail}',
      health: 'System health', healthy: 'Healthy', degraded: 'Needs attention', unhealthy: 'Unhealthy',
      lastRun: 'Last reconciliation', started: 'Started', finished: 'Finished', checked: 'Dossiers checked', mismatches: 'Mismatches found',
      repairs: 'Repairs', queue: 'Queue depth', poison: 'Poison messages',
      freshness: 'Freshness (last hour)', freshP50: 'Median', freshP95: '95th percentile', freshMax: 'Longest', freshCount: 'Dossiers confirmed',
      freshWaiting: 'Dossiers waiting for a repair', freshOldest: 'Oldest change waiting', seconds: '{n} s', waitedSince: '{time} (waiting {n} s)',
      portal: 'National portal', circuit: 'Circuit', circuitClosed: 'Closed (normal)', circuitOpen: 'Open (paused)', lastSuccess: 'Last success',
      checkedAt: 'Checked at', none: 'None yet', healthFailed: 'System health could not be read: {detail}',
      audit: 'Full audit', auditPeriod: 'Received', auditStatus: 'Status', auditProgress: 'Progress', auditRate: 'Look-up rate',
      auditLeft: 'Time left', auditFound: 'Missing or stale', auditError: 'Last error',
      queued: 'Queued', running: 'Running', cancelled: 'Cancelled', perSecond: '{n} calls/s', aboutMinutes: 'about {n} min',
      loading: 'Loading figures…', loadingDetail: 'Reading the indicator, the unsynced list and the system health from the API.',
      empty: 'Nothing received in this period', emptyDetail: 'No dossier was received from {from} to {to}{scope}. Choose another period.',
      unauthorized: 'The access key is wrong or has been revoked (HTTP 401). Enter the key again.',
      unreachable: 'The API cannot be reached', unreachableDetail: 'The server does not answer or the network is down. Check the connection and try again.',
      serverError: 'The API failed (HTTP {status})', serverErrorDetail: 'Try again in a few minutes. {detail}',
      requestError: 'The figures could not be read (HTTP {status})',
      retry: 'Try again',
      footer: 'Figures read directly from the DVC Sync API. The page shows no personal data.',
      status: { 1: 'Submitted', 2: 'Received', 3: 'Refused at reception', 4: 'In processing', 5: 'Documents requested', 6: 'Payment requested', 7: 'Withdrawn', 8: 'Stopped', 9: 'Finished', 10: 'Result returned' },
    },
  };

  // ---- state -------------------------------------------------------------------------------------------------
  const state = {
    lang: 'vi',
    key: null,
    from: null,
    to: null,
    path: [],                          // the drill-down below the province: [{ agency, name }]
    rootName: null,
    names: new Map(),                  // every agency name an answer has given, to name the unsynced dossiers' agencies
    view: 'nokey',                     // nokey | loading | ready | empty | unauthorized | unreachable | error
    tab: 'sync',                       // sync | scorecard: which report the period and the drill-down apply to
    error: null,
    report: null,
    health: null,
    healthError: null,
    unsynced: null,                    // { agency, items, loading, truncated, error }
    sort: { key: 'rate', dir: 'asc' }, // worst first
    filter: { agency: '', state: '' },
    rowsShown: ROWS_STEP,
    load: null,                        // AbortController of the figures
    list: null,                        // AbortController of the unsynced list
  };
  let els = {};
  let scorecard = null;                // the 766 scorecard view (scorecard.js)

  // ---- helpers -----------------------------------------------------------------------------------------------
  function t(key, vars) {
    let text = TEXT[state.lang][key];
    if (text === undefined) text = TEXT.vi[key];
    if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    return text;
  }

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
    return el;
  }

  function svg(tag, attrs, ...children) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    for (const c of children) if (c) el.append(c);
    return el;
  }

  function storageGet(store, item) { try { return store.getItem(item); } catch { return null; } }
  function storageSet(store, item, value) { try { if (value === null) store.removeItem(item); else store.setItem(item, value); } catch { /* private mode */ } }

  const locale = () => (state.lang === 'vi' ? 'vi-VN' : 'en-GB');
  const fmtInt = (n) => new Intl.NumberFormat(locale()).format(n);
  const fmtRate = (r) => (r === null || r === undefined ? '—'
    : new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(r * 100) + '%');
  const fmtPoints = (p) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(p);
  const fmtNumber = (n, digits) => new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
  const rateClass = (r) => (r === null || r === undefined ? '' : r >= 0.98 ? 'rate-good' : r >= 0.9 ? 'rate-warn' : 'rate-bad');

  // Calendar dates are 'yyyy-mm-dd' strings throughout; a Date only appears to format or to count days.
  function isoParts(iso) { const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || ''); return m ? [+m[1], +m[2], +m[3]] : null; }
  function isoOf(y, m, d) { return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`; }
  function validDate(y, m, d) { const dt = new Date(Date.UTC(y, m - 1, d)); return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d; }
  function dayNumber(iso) { const [y, m, d] = isoParts(iso); return Date.UTC(y, m - 1, d) / 86400000; }
  function lastDayOf(y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); }

  function parseDateInput(text) {
    const v = (text || '').trim();
    let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
    let y, mo, d;
    if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; }
    else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v))) { y = +m[1]; mo = +m[2]; d = +m[3]; }
    else return null;
    return validDate(y, mo, d) ? isoOf(y, mo, d) : null;
  }

  function inputDate(iso) {
    const [y, m, d] = isoParts(iso);
    return state.lang === 'vi' ? `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}` : iso;
  }

  function fmtDate(iso) {
    const p = isoParts(iso);
    if (!p) return iso || '—';
    if (state.lang === 'vi') return `${String(p[2]).padStart(2, '0')}/${String(p[1]).padStart(2, '0')}/${p[0]}`;
    return new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'short', year: 'numeric', timeZone: 'UTC' })
      .format(new Date(Date.UTC(p[0], p[1] - 1, p[2])));
  }

  function fmtShortDate(iso) {
    const p = isoParts(iso);
    if (state.lang === 'vi') return `${String(p[2]).padStart(2, '0')}/${String(p[1]).padStart(2, '0')}`;
    return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(p[0], p[1] - 1, p[2])));
  }

  // The API's times carry their offset; they are shown in Vietnam's time whatever the browser's zone.
  function vnClock(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return null;
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(date).map((p) => [p.type, p.value]));
    return { day: isoOf(+parts.year, +parts.month, +parts.day), time: `${parts.hour}:${parts.minute}` };
  }

  function fmtDateTime(iso) {
    if (!iso) return null;
    const clock = vnClock(iso);
    return clock ? `${fmtDate(clock.day)} ${clock.time}` : iso;
  }

  // For a spreadsheet: a form Excel reads as a date and time in any language.
  function csvDateTime(iso) {
    if (!iso) return '';
    const clock = vnClock(iso);
    return clock ? `${clock.day} ${clock.time}` : iso;
  }

  function fmtMonth(yyyyMm) {
    const [y, m] = yyyyMm.split('-').map(Number);
    if (state.lang === 'vi') return `${String(m).padStart(2, '0')}/${y}`;
    return new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
  }

  function todayInVietnam() {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date()).map((p) => [p.type, p.value]));
    return [+parts.year, +parts.month, +parts.day];
  }

  function presetRange(name) {
    const [y, m, d] = todayInVietnam();
    switch (name) {
      case 'lastMonth': {
        const [py, pm] = m === 1 ? [y - 1, 12] : [y, m - 1];
        return [isoOf(py, pm, 1), isoOf(py, pm, lastDayOf(py, pm))];
      }
      case 'lastWeek': {
        // The portal publishes by week, Monday to Sunday: the last whole one, in Vietnam's calendar.
        const today = Date.UTC(y, m - 1, d);
        const sinceMonday = (new Date(today).getUTCDay() + 6) % 7;
        const monday = new Date(today - (sinceMonday + 7) * 86400000);
        const sunday = new Date(monday.getTime() + 6 * 86400000);
        const iso = (dt) => isoOf(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
        return [iso(monday), iso(sunday)];
      }
      case 'thisQuarter': return [isoOf(y, Math.floor((m - 1) / 3) * 3 + 1, 1), isoOf(y, m, d)];
      case 'thisYear': return [isoOf(y, 1, 1), isoOf(y, m, d)];
      default: return [isoOf(y, m, 1), isoOf(y, m, d)];
    }
  }

  // ---- the API -----------------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(kind, status, detail) {
      super(detail || kind);
      this.kind = kind;      // unauthorized | unreachable | server | request
      this.status = status;
      this.detail = detail || '';
    }
  }

  async function api(path, params, signal, acceptStatuses) {
    const url = new URL(API_BASE + path, location.origin);
    for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, v);
    let response;
    try {
      response = await fetch(url, {
        headers: { 'x-functions-key': state.key, Accept: 'application/json' },
        signal, cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError('unreachable', 0, e.message);
    }
    if (response.status === 401 || response.status === 403) throw new ApiError('unauthorized', response.status);
    let body = null;
    try { body = await response.json(); } catch (e) { if (e.name === 'AbortError') throw e; }
    if (response.ok && body) return body;
    if (body && (acceptStatuses || []).includes(response.status)) return body;
    const detail = body && (body.detail || body.title) ? String(body.detail || body.title) : '';
    throw new ApiError(response.status >= 500 || response.ok ? 'server' : 'request', response.status, detail);
  }

  // ---- loading -----------------------------------------------------------------------------------------------
  const currentAgency = () => (state.path.length ? state.path[state.path.length - 1].agency : null);

  async function load() {
    if (!state.key) { show('nokey'); return; }
    state.load?.abort();
    state.list?.abort();
    if (state.tab === 'scorecard') { showScorecard(); return; }
    const controller = state.load = new AbortController();
    const { signal } = controller;
    show('loading');
    try {
      const [report, health] = await Promise.all([
        api('/indicators/sync-rate', { from: state.from, to: state.to, agency: currentAgency() }, signal),
        // 503 is how the API says "unhealthy": its body is still the report to show.
        api('/health', null, signal, [503]).then((body) => ({ body }), (e) => {
          if (e.name === 'AbortError' || e.kind === 'unauthorized' || e.kind === 'unreachable') throw e;
          return { error: e };
        }),
      ]);
      if (controller !== state.load) return;
      state.report = report;
      if (!state.path.length) state.rootName = report.name;
      state.names.set(report.agency, report.name);
      for (const row of report.agencies || []) state.names.set(row.agency, row.name);
      state.health = health.body || null;
      state.healthError = health.error || null;
      state.filter.agency = '';
      state.rowsShown = ROWS_STEP;
      if (report.received === 0 && report.synced === 0) {
        state.unsynced = null;
        show('empty');
        return;
      }
      show('ready');
      loadUnsynced();
    } catch (e) {
      if (e.name === 'AbortError' || controller !== state.load) return;
      fail(e);
    }
  }

  async function loadUnsynced() {
    state.list?.abort();
    const controller = state.list = new AbortController();
    const agency = state.filter.agency || currentAgency();
    const list = state.unsynced = { agency, items: [], loading: true, truncated: false, error: null };
    renderUnsynced();
    try {
      let cursor = null;
      do {
        const page = await api('/dossiers/unsynced',
          { from: state.from, to: state.to, agency, limit: PAGE_LIMIT, cursor }, controller.signal);
        if (controller !== state.list) return;
        list.items.push(...(page.items || []));
        cursor = page.nextCursor || null;
        if (cursor && list.items.length >= MAX_UNSYNCED) { list.truncated = true; break; }
        if (cursor) renderUnsynced();
      } while (cursor);
    } catch (e) {
      if (e.name === 'AbortError' || controller !== state.list) return;
      if (e.kind === 'unauthorized' || e.kind === 'unreachable') { fail(e); return; }
      list.error = e;
    }
    list.loading = false;
    renderUnsynced();
  }

  function fail(e) {
    state.load?.abort();
    state.list?.abort();
    state.error = e;
    if (e.kind === 'unauthorized') {
      forgetKey();
      show('unauthorized');
    } else {
      show(e.kind === 'unreachable' ? 'unreachable' : 'error');
    }
  }

  function forgetKey() {
    state.key = null;
    storageSet(sessionStorage, KEY_ITEM, null);
  }

  // ---- views -------------------------------------------------------------------------------------------------
  function show(view) {
    const wasShowingFigures = !els.figures.hidden;
    const wasShowingHealth = !els.healthCard.hidden;
    state.view = view;
    els.main.dataset.state = view;
    const connected = Boolean(state.key);
    els.keyPanel.hidden = connected && view !== 'unauthorized';
    els.keyError.hidden = view !== 'unauthorized';
    els.keyError.textContent = view === 'unauthorized' ? t('unauthorized') : '';
    els.changeKey.hidden = !connected;
    els.toolbar.hidden = !connected;
    els.figures.hidden = !(view === 'ready' || (view === 'loading' && wasShowingFigures));
    els.healthCard.hidden = !(view === 'ready' || view === 'empty' || (view === 'loading' && wasShowingHealth));
    els.layout.classList.toggle('single', els.figures.hidden);
    els.scorecard.hidden = view !== 'scorecard';
    for (const tab of els.tabs) tab.setAttribute('aria-selected', String(tab.dataset.view === state.tab));
    renderStatus();
    // Health first: the chart beside it takes its height.
    if (view === 'ready' || view === 'empty') renderHealth();
    if (view === 'ready') { renderReport(); renderUnsynced(); }
    renderBreadcrumb();
    if (view === 'nokey' || view === 'unauthorized') els.keyInput.focus();
  }

  function renderStatus() {
    const box = els.status;
    box.replaceChildren();
    const view = state.view;
    const retry = () => h('button', { type: 'button', class: 'btn btn-ghost', onclick: load, text: t('retry') });
    if (view === 'loading') {
      box.append(h('div', { class: 'status-box status-loading', 'aria-busy': 'true' },
        h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        h('div', { class: 'status-text' }, h('strong', { text: t('loading') }), h('span', { text: t('loadingDetail') }))));
    } else if (view === 'empty') {
      const scope = state.report ? ` — ${state.report.name}` : '';
      box.append(h('div', { class: 'status-box status-empty', id: 'empty-state' },
        h('div', { class: 'status-text' }, h('strong', { text: t('empty') }),
          h('span', { text: t('emptyDetail', { from: fmtDate(state.from), to: fmtDate(state.to), scope }) }))));
    } else if (view === 'unreachable') {
      box.append(h('div', { class: 'status-box status-error', role: 'alert', id: 'unreachable-state' },
        h('div', { class: 'status-text' }, h('strong', { text: t('unreachable') }), h('span', { text: t('unreachableDetail') })), retry()));
    } else if (view === 'error') {
      const e = state.error || {};
      const server = e.kind === 'server';
      box.append(h('div', { class: 'status-box status-error', role: 'alert', id: 'error-state' },
        h('div', { class: 'status-text' },
          h('strong', { text: t(server ? 'serverError' : 'requestError', { status: e.status || '?' }) }),
          h('span', { text: server ? t('serverErrorDetail', { detail: e.detail || '' }) : e.detail || '' })),
        retry()));
    }
  }

  function renderBreadcrumb() {
    const nav = els.breadcrumb;
    nav.replaceChildren();
    // Only below the province: at the top the heading already says where the figures are from.
    if (!state.rootName || !state.key || !state.path.length) return;
    const crumbs = [{ agency: null, name: state.rootName }, ...state.path];
    crumbs.forEach((c, i) => {
      if (i > 0) nav.append(h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '›' }));
      if (i === crumbs.length - 1) nav.append(h('span', { class: 'crumb-current', 'aria-current': 'page', text: c.name }));
      else nav.append(h('button', { type: 'button', class: 'crumb', dataset: { level: String(i) }, text: c.name,
        onclick: () => { state.path = state.path.slice(0, i); load(); } }));
    });
  }

  function renderReport() {
    const r = state.report;
    if (!r) return;
    els.scopeName.textContent = r.name;
    els.scopeName.dataset.agency = r.agency;
    const meta = [t('period', { from: fmtDate(r.from), to: fmtDate(r.to) }),
      r.asOf ? t('asOf', { t: fmtDateTime(r.asOf) }) : t('asOfNone')];
    els.scopeMeta.textContent = meta.join(' · ');

    setFigure(els.kpiRate, fmtRate(r.rate), r.rate);
    els.kpiRate.className = 'kpi-value ' + rateClass(r.rate);
    els.kpiRateBar.className = 'meter-fill ' + rateClass(r.rate);
    els.kpiRateBar.style.width = `${Math.max(0, Math.min(1, r.rate || 0)) * 100}%`;
    setFigure(els.kpiPoints, t('points', { p: fmtPoints(r.points), max: fmtPoints(r.maxPoints) }), r.points);
    els.kpiPoints.dataset.max = String(r.maxPoints);
    setFigure(els.kpiReceived, fmtInt(r.received), r.received);
    setFigure(els.kpiSynced, fmtInt(r.synced), r.synced);
    setFigure(els.kpiUnsynced, fmtInt(r.received - r.synced), r.received - r.synced);
    // The API says where "received" comes from in words; only its fallback to the dossiers seen deserves a warning.
    const fromLedgerOnly = typeof r.receivedSource === 'string' && r.receivedSource.startsWith('ledger');
    els.sourceNote.hidden = !fromLedgerOnly;
    els.sourceNote.textContent = fromLedgerOnly ? t('sourceLedger') : '';

    renderTrend();
    renderAgencies();
  }

  function setFigure(el, text, value) {
    el.textContent = text;
    el.dataset.value = value === null || value === undefined ? '' : String(value);
  }

  // ---- trend chart (plain SVG) -------------------------------------------------------------------------------
  let chartWidth = 0;

  function renderTrend() {
    const r = state.report;
    const box = els.trend;
    // A period over 92 days has no daily series; the API gives it by month instead.
    const monthly = !(r.days && r.days.length) && Boolean(r.months && r.months.length);
    const days = (monthly ? r.months : r.days) || [];
    els.trendTitle.dataset.i18n = monthly ? 'trendMonthly' : 'trend';
    els.trendTitle.textContent = t(els.trendTitle.dataset.i18n);
    const width = Math.max(280, Math.round(box.clientWidth || 640));
    chartWidth = width;
    const height = chartHeight(width);
    const m = { top: 14, right: 46, bottom: 28, left: 46 };
    const iw = width - m.left - m.right;
    const ih = height - m.top - m.bottom;
    const n = Math.max(days.length, 1);
    const band = iw / n;

    const maxReceived = niceCeiling(Math.max(1, ...days.map((d) => d.received)));
    const rates = days.filter((d) => d.rate !== null && d.rate !== undefined).map((d) => d.rate);
    const lowest = rates.length ? Math.min(...rates) : 1;
    const floor = Math.max(0, Math.min(0.9, Math.floor(lowest * 10) / 10));
    const step = 1 - floor <= 0.2 ? 0.05 : 1 - floor <= 0.5 ? 0.1 : 0.2;
    const yRate = (v) => m.top + ih * (1 - (v - floor) / (1 - floor));
    const yCount = (v) => m.top + ih * (1 - v / maxReceived);
    const xMid = (i) => m.left + band * (i + 0.5);

    const chart = svg('svg', {
      viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'trend-svg',
      'aria-label': t(monthly ? 'trendMonthlyAria' : 'trendAria', { from: fmtDate(r.from), to: fmtDate(r.to) }),
    });

    for (let v = floor, k = 0; v <= 1.0000001; v = floor + step * ++k) {
      const y = yRate(v);
      chart.append(svg('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: y, y2: y }));
      chart.append(svg('text', { class: 'axis-label', x: m.left - 6, y: y + 4, 'text-anchor': 'end' },
        document.createTextNode(new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(v * 100) + '%')));
    }
    for (const v of [0, maxReceived / 2, maxReceived]) {
      chart.append(svg('text', { class: 'axis-label', x: width - m.right + 6, y: yCount(v) + 4, 'text-anchor': 'start' },
        document.createTextNode(fmtInt(v))));
    }

    const barWidth = Math.max(1, Math.min(26, band * 0.72));
    const bars = svg('g', { class: 'bars' });
    days.forEach((d, i) => {
      const g = monthly
        ? svg('g', { class: 'month', 'data-month': d.month, 'data-received': d.received, 'data-synced': d.synced })
        : svg('g', { class: 'day', 'data-date': d.date, 'data-received': d.received, 'data-synced': d.synced });
      const x = xMid(i) - barWidth / 2;
      if (d.synced > 0) g.append(svg('rect', { class: 'bar-synced', x, width: barWidth, y: yCount(d.synced), height: yCount(0) - yCount(d.synced) }));
      if (d.received > d.synced) g.append(svg('rect', { class: 'bar-unsynced', x, width: barWidth, y: yCount(d.received), height: yCount(d.synced) - yCount(d.received) }));
      const hit = svg('rect', { class: 'hit', x: m.left + band * i, width: band, y: m.top, height: ih });
      const tip = monthly ? t('monthTip', { m: fmtMonth(d.month), r: fmtInt(d.received), s: fmtInt(d.synced), rate: fmtRate(d.rate) })
        : t('dayTip', { d: fmtDate(d.date), r: fmtInt(d.received), s: fmtInt(d.synced), rate: fmtRate(d.rate) });
      hit.append(svg('title', null, document.createTextNode(tip)));
      g.append(hit);
      bars.append(g);
    });
    chart.append(bars);

    // The rate line breaks on days with nothing received (no rate), rather than drawing through them.
    let path = '';
    let open = false;
    days.forEach((d, i) => {
      if (d.rate === null || d.rate === undefined) { open = false; return; }
      path += `${open ? 'L' : 'M'}${xMid(i).toFixed(1)},${yRate(d.rate).toFixed(1)}`;
      open = true;
    });
    if (path) chart.append(svg('path', { class: 'rate-line', d: path }));
    if (days.length <= 45) {
      days.forEach((d, i) => {
        if (d.rate !== null && d.rate !== undefined) chart.append(svg('circle', { class: 'rate-dot', cx: xMid(i), cy: yRate(d.rate), r: 2.6 }));
      });
    }

    const labels = Math.max(2, Math.floor(iw / 78));
    const every = Math.max(1, Math.ceil(days.length / labels));
    days.forEach((d, i) => {
      if (i % every !== 0) return;
      chart.append(svg('text', { class: 'axis-label', x: xMid(i), y: height - 8, 'text-anchor': 'middle' },
        document.createTextNode(monthly ? fmtMonth(d.month) : fmtShortDate(d.date))));
    });
    if (!days.length) chart.append(svg('text', { class: 'no-days', x: m.left + iw / 2, y: m.top + ih / 2, 'text-anchor': 'middle' }, document.createTextNode(t('noSeries'))));
    chart.append(svg('line', { class: 'grid', x1: m.left, x2: width - m.right, y1: yCount(0), y2: yCount(0) }));
    box.replaceChildren(chart);
  }

  function chartHeight(width) {
    if (width < 520) return 210;
    const natural = width < 760 ? 250 : 300;
    // Beside the health panel the chart takes the height the panel gives the row anyway, rather than leave it blank.
    const card = els.trend.closest('.card');
    const health = els.healthCard;
    if (health.hidden || Math.abs(health.getBoundingClientRect().top - card.getBoundingClientRect().top) > 2) return natural;
    const chrome = card.querySelector('.card-head').offsetHeight + 10 + 34;
    return Math.round(Math.max(natural, Math.min(480, health.offsetHeight - chrome)));
  }

  function niceCeiling(v) {
    const magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (const f of [1, 2, 2.5, 5, 10]) if (f * magnitude >= v) return f * magnitude;
    return 10 * magnitude;
  }

  // ---- agencies ----------------------------------------------------------------------------------------------
  const SORTS = {
    name: (a, b) => a.name.localeCompare(b.name, locale()),
    received: (a, b) => a.received - b.received,
    synced: (a, b) => a.synced - b.synced,
    unsynced: (a, b) => (a.received - a.synced) - (b.received - b.synced),
    rate: (a, b) => a.rate - b.rate,
  };

  function sortedAgencies() {
    const { key, dir } = state.sort;
    const sign = dir === 'asc' ? 1 : -1;
    return [...(state.report.agencies || [])].sort((a, b) => {
      // Agencies without a rate (nothing received) go last whichever way the rate is sorted.
      if (key === 'rate' && (a.rate === null) !== (b.rate === null)) return a.rate === null ? 1 : -1;
      const primary = key === 'rate' && a.rate === null ? 0 : sign * SORTS[key](a, b);
      return primary || b.received - a.received || a.name.localeCompare(b.name, locale());
    });
  }

  function renderAgencies() {
    const r = state.report;
    els.agenciesTitle.textContent = t('agenciesOf', { name: r.name });
    for (const th of els.agencies.querySelectorAll('th[data-sort]')) {
      const active = th.dataset.sort === state.sort.key;
      if (active) th.setAttribute('aria-sort', state.sort.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      const button = th.querySelector('button');
      let indicator = button.querySelector('.sort-ind');
      if (!indicator) { indicator = h('span', { class: 'sort-ind', 'aria-hidden': 'true' }); button.append(indicator); }
      indicator.textContent = active ? (state.sort.dir === 'asc' ? '▲' : '▼') : '';
    }
    const body = els.agencies.tBodies[0];
    body.replaceChildren(...sortedAgencies().map((a) => h('tr', { dataset: { agency: a.agency } },
      h('td', { class: 'name' },
        h('button', { type: 'button', class: 'drill', title: t('drillTo', { name: a.name }), text: a.name,
          onclick: () => { state.path.push({ agency: a.agency, name: a.name }); load(); } }),
        h('span', { class: 'code', text: a.agency })),
      h('td', { class: 'num received', dataset: { value: String(a.received) }, text: fmtInt(a.received) }),
      h('td', { class: 'num synced', dataset: { value: String(a.synced) }, text: fmtInt(a.synced) }),
      h('td', { class: 'num col-unsynced', dataset: { value: String(a.received - a.synced) }, text: fmtInt(a.received - a.synced) }),
      h('td', { class: 'num rate', dataset: { value: a.rate === null ? '' : String(a.rate) } },
        h('div', { class: 'rate-cell' },
          h('span', { class: rateClass(a.rate), text: fmtRate(a.rate) }),
          meter(a.rate))))));
    els.agenciesEmpty.hidden = body.rows.length > 0;
    els.agenciesEmpty.textContent = t('noChildren');
    els.agencies.hidden = body.rows.length === 0;
  }

  function meter(rate) {
    const fill = h('span', { class: 'meter-fill ' + rateClass(rate) });
    fill.style.width = `${Math.max(0, Math.min(1, rate || 0)) * 100}%`;
    return h('span', { class: 'meter', 'aria-hidden': 'true' }, fill);
  }

  function onSort(event) {
    const th = event.target.closest('th[data-sort]');
    if (!th) return;
    const key = th.dataset.sort;
    if (state.sort.key === key) state.sort.dir = state.sort.dir === 'asc' ? 'desc' : 'asc';
    else state.sort = { key, dir: key === 'name' || key === 'rate' ? 'asc' : 'desc' };
    renderAgencies();
  }

  // ---- unsynced dossiers -------------------------------------------------------------------------------------
  function renderUnsynced() {
    const list = state.unsynced;
    const r = state.report;
    if (!list || !r) return;
    const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const item of list.items) counts[item.state] = (counts[item.state] || 0) + 1;

    const agencies = [...(r.agencies || [])].sort((a, b) => a.name.localeCompare(b.name, locale()));
    els.agencyFilter.replaceChildren(
      h('option', { value: '', text: t('allAgencies', { name: r.name }) }),
      ...agencies.map((a) => h('option', { value: a.agency, text: a.name })));
    els.agencyFilter.value = state.filter.agency;

    els.stateFilter.replaceChildren(
      h('option', { value: '', text: t('allStates', { n: fmtInt(list.items.length) }) }),
      ...STATES.map((s) => h('option', { value: s, text: `${t('state.' + s)} (${fmtInt(counts[s])})` })));
    els.stateFilter.value = state.filter.state;

    els.stateChips.replaceChildren(...STATES.filter((s) => counts[s] > 0).map((s) =>
      h('button', { type: 'button', class: `chip state-${s}`, 'aria-pressed': String(state.filter.state === s), title: t('stateHelp.' + s),
        dataset: { state: s }, onclick: () => setStateFilter(state.filter.state === s ? '' : s) },
        h('span', { text: t('state.' + s) }), h('span', { class: 'count', text: fmtInt(counts[s]) }))));

    const shown = state.filter.state ? list.items.filter((i) => i.state === state.filter.state) : list.items;
    const visible = shown.slice(0, state.rowsShown);
    const body = els.unsynced.tBodies[0];
    body.replaceChildren(...visible.map(unsyncedRow));
    els.unsynced.hidden = visible.length === 0;

    const summary = list.loading ? t('unsyncedLoading', { n: fmtInt(list.items.length) })
      : t('unsyncedShown', { shown: fmtInt(visible.length), total: fmtInt(shown.length) });
    els.unsyncedSummary.textContent = list.truncated ? `${summary} — ${t('unsyncedTruncated', { n: fmtInt(list.items.length) })}` : summary;
    els.unsyncedError.hidden = !list.error;
    els.unsyncedError.textContent = list.error ? t('unsyncedFailed', { detail: list.error.detail || `HTTP ${list.error.status}` }) : '';
    els.unsyncedEmpty.hidden = list.loading || list.error !== null || shown.length > 0;
    els.unsyncedEmpty.textContent = list.items.length ? t('noUnsyncedFiltered') : t('noUnsynced');
    // The list can only hold dossiers the provincial API exposed; reported counts can hold more (README: Counting).
    const gap = r.received - r.synced;
    const complete = !list.loading && !list.error && !list.truncated && !state.filter.agency;
    const unlisted = complete && gap > list.items.length;
    els.unsyncedGapCount.textContent = unlisted ? t('gapCount', { gap: fmtInt(gap), listed: fmtInt(list.items.length) }) : '';
    els.unsyncedGap.dataset.unlisted = unlisted ? String(gap - list.items.length) : '0';
    els.unsyncedCsv.disabled = list.loading || shown.length === 0;
    const remaining = shown.length - visible.length;
    els.unsyncedMore.hidden = remaining <= 0;
    els.unsyncedMore.textContent = t('showMore', { n: fmtInt(Math.min(ROWS_STEP, remaining)) });
    els.unsyncedCard.dataset.loaded = String(!list.loading);
  }

  function unsyncedRow(item) {
    const name = state.names.get(item.maDonVi);
    // data-empty lets a phone's card leave out what has no value (no next attempt, nothing tried yet).
    const cell = (label, props, ...children) =>
      h('td', { ...props, 'data-label': t(label), 'data-empty': props.text === '—' || props.text === '0' }, ...children);
    const status = item.trangThaiHoSo ? TEXT[state.lang].status[item.trangThaiHoSo] : null;
    return h('tr', { dataset: { state: item.state, agency: item.maDonVi } },
      cell('colCode', { class: 'mono code-cell', text: item.maHoSo }),
      cell('colAgency', { title: item.maDonVi, text: name || item.maDonVi }),
      cell('colReceivedAt', { class: 'when', text: fmtDateTime(item.ngayTiepNhan) || '—' }),
      cell('colStatus', { text: status ? `${status} (${item.trangThaiHoSo})` : item.trangThaiHoSo || '—' }),
      cell('colState', { class: 'state' }, h('span', { class: `badge state-${item.state}`, title: t('stateHelp.' + item.state), text: t('state.' + item.state) })),
      cell('colAttempts', { class: 'num', text: fmtInt(item.attempts || 0) }),
      cell('colReason', { class: 'reason', text: item.lastError || '—' }),
      cell('colNext', { class: 'when', text: fmtDateTime(item.nextAttemptAt) || '—' }));
  }

  function setStateFilter(value) {
    state.filter.state = value;
    state.rowsShown = ROWS_STEP;
    renderUnsynced();
  }

  // ---- CSV exports -------------------------------------------------------------------------------------------
  const csvName = (what) => `${what}_${currentAgency() || state.report.agency}_${state.report.from}_${state.report.to}.csv`;
  const csvPercent = (rate) => (rate === null || rate === undefined ? '' : (rate * 100).toFixed(2));

  function exportAgencies() {
    window.DvcSync.csv.download(csvName('dong-bo-theo-don-vi'),
      [t('csvAgencyCode'), t('csvAgencyName'), t('received'), t('synced'), t('notSynced'), t('csvRate')],
      sortedAgencies().map((a) => [a.agency, a.name, a.received, a.synced, a.received - a.synced, csvPercent(a.rate)]));
  }

  // Each field named, never the item as it came: a field the API might add later cannot reach the file unseen.
  function exportUnsynced() {
    const list = state.unsynced;
    const items = state.filter.state ? list.items.filter((i) => i.state === state.filter.state) : list.items;
    window.DvcSync.csv.download(csvName('ho-so-chua-dong-bo'),
      [t('colCode'), t('csvAgencyCode'), t('colAgency'), t('colReceivedAt'), t('colStatus'), t('colState'), t('colAttempts'), t('colReason'), t('colNext')],
      items.map((i) => [i.maHoSo, i.maDonVi, state.names.get(i.maDonVi) || '', csvDateTime(i.ngayTiepNhan),
        i.trangThaiHoSo ? `${TEXT[state.lang].status[i.trangThaiHoSo] || ''} (${i.trangThaiHoSo})` : '',
        t('state.' + i.state), i.attempts || 0, i.lastError || '', csvDateTime(i.nextAttemptAt)]));
  }

  // ---- the 766 scorecard (scorecard.js) ----------------------------------------------------------------------
  function showScorecard() {
    show('scorecard');
    scorecard.load();
  }

  function setTab(tab) {
    if (tab === state.tab) return;
    state.tab = tab;
    load();
  }

  // ---- health ------------------------------------------------------------------------------------------------
  function renderHealth() {
    const report = state.health;
    els.healthError.hidden = !state.healthError;
    els.healthError.textContent = state.healthError
      ? t('healthFailed', { detail: state.healthError.detail || `HTTP ${state.healthError.status}` }) : '';
    els.healthStatus.hidden = !report;
    els.healthList.replaceChildren();
    els.healthProblems.replaceChildren();
    if (!report) return;
    els.healthStatus.className = `pill ${report.status}`;
    els.healthStatus.textContent = t(report.status) || report.status;
    els.healthStatus.dataset.status = report.status;
    els.healthProblems.append(...(report.problems || []).map((p) => h('li', { text: p })));

    const run = report.reconciliation;
    const portal = report.portal;
    const none = t('none');
    const rows = [
      ['section', t('lastRun')],
      [t('finished'), run && run.lastFinishedAt ? fmtDateTime(run.lastFinishedAt) : none, 'last-finished'],
      [t('started'), run && run.lastStartedAt ? fmtDateTime(run.lastStartedAt) : none, 'last-started'],
      [t('checked'), run ? fmtInt(run.dossiersChecked) : none, 'checked'],
      [t('mismatches'), run ? fmtInt(run.mismatchesFound) : none, 'mismatches'],
      ['section', t('repairs')],
      [t('queue'), report.retryQueueDepth === null || report.retryQueueDepth === undefined ? none : fmtInt(report.retryQueueDepth), 'queue'],
      [t('poison'), report.poisonCount === null || report.poisonCount === undefined ? none : fmtInt(report.poisonCount), 'poison'],
      ['section', t('portal')],
      [t('circuit'), portal ? t(portal.circuit === 'open' ? 'circuitOpen' : 'circuitClosed') : none, 'circuit', portal ? `circuit-${portal.circuit}` : ''],
      [t('lastSuccess'), portal && portal.lastSuccessAt ? fmtDateTime(portal.lastSuccessAt) : none, 'portal-success'],
      [t('checkedAt'), fmtDateTime(report.checkedAt) || none, 'checked-at'],
      ...freshnessRows(report.freshness),
      ...auditRows(report.audit),
    ];
    for (const [label, value, id, cls] of rows) {
      if (label === 'section') { els.healthList.append(h('dt', { class: 'section', text: value })); continue; }
      els.healthList.append(h('dt', { text: label }), h('dd', { class: cls || null, dataset: { field: id }, text: value }));
    }
  }

  // Freshness: seconds from a change at the source to the confirmation that the portal holds it, and what still waits.
  function freshnessRows(f) {
    if (!f) return [];
    const secs = (v) => (v === null || v === undefined ? t('none') : t('seconds', { n: fmtNumber(v, 1) }));
    return [
      ['section', t('freshness')],
      [t('freshP50'), secs(f.p50Seconds), 'fresh-p50'],
      [t('freshP95'), secs(f.p95Seconds), 'fresh-p95'],
      [t('freshMax'), secs(f.maxSeconds), 'fresh-max'],
      [t('freshCount'), fmtInt(f.count), 'fresh-count'],
      [t('freshWaiting'), fmtInt(f.waitingRepairs) + (f.waitingCountIsPartial ? '+' : ''), 'fresh-waiting'],
      [t('freshOldest'), f.oldestWaitingSince
        ? t('waitedSince', { time: fmtDateTime(f.oldestWaitingSince), n: fmtInt(Math.round(f.oldestWaitingSeconds || 0)) }) : t('none'), 'fresh-oldest'],
    ];
  }

  // The current or last full audit, when one was ever requested: what an operator started and how far it has got.
  function auditRows(audit) {
    if (!audit) return [];
    const active = audit.status === 'queued' || audit.status === 'running';
    const status = audit.status === 'finished' ? t('finished') : t(audit.status) || audit.status;
    const progress = `${fmtInt(audit.done)} / ${fmtInt(audit.total)}` + (audit.percent === null ? '' : ` (${fmtNumber(audit.percent, 1)}%)`);
    const rows = [
      ['section', t('audit')],
      [t('auditPeriod'), `${fmtDate(audit.from)} – ${fmtDate(audit.to)}`, 'audit-period'],
      [t('auditStatus'), status, 'audit-status', `audit-${audit.status}`],
      [t('auditProgress'), progress, 'audit-progress'],
      [t('auditFound'), fmtInt(audit.mismatches), 'audit-found'],
    ];
    if (active) {
      rows.push([t('auditRate'), t('perSecond', { n: fmtNumber(audit.callRate, 1) }), 'audit-rate']);
      rows.push([t('auditLeft'), audit.secondsLeft === null ? t('none') : t('aboutMinutes', { n: fmtInt(Math.ceil(audit.secondsLeft / 60)) }), 'audit-left']);
    }
    if (audit.error) rows.push([t('auditError'), audit.error, 'audit-error']);
    return rows;
  }

  // ---- language ----------------------------------------------------------------------------------------------
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-i18n]')) {
      const target = el.tagName === 'BUTTON' && el.closest('th') ? el.firstChild : el;
      if (target && target.nodeType === Node.TEXT_NODE) target.textContent = t(el.dataset.i18n);
      else el.textContent = t(el.dataset.i18n);
    }
    for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
    for (const b of document.querySelectorAll('.lang-toggle button')) b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang));
  }

  function setLanguage(lang) {
    if (!TEXT[lang] || lang === state.lang) return;
    const from = parseDateInput(els.from.value);
    const to = parseDateInput(els.to.value);
    state.lang = lang;
    storageSet(localStorage, LANG_ITEM, lang);
    applyLanguage();
    if (from) els.from.value = inputDate(from);
    if (to) els.to.value = inputDate(to);
    renderHealth();
    if (state.view === 'ready') { renderReport(); renderUnsynced(); }
    if (state.view === 'scorecard') scorecard.render();
    renderStatus();
    renderBreadcrumb();
    if (state.view === 'unauthorized') els.keyError.textContent = t('unauthorized');
  }

  // ---- events ------------------------------------------------------------------------------------------------
  function setPeriod(from, to) {
    state.from = from;
    state.to = to;
    els.from.value = inputDate(from);
    els.to.value = inputDate(to);
  }

  function onPeriodSubmit(event) {
    event.preventDefault();
    const from = parseDateInput(els.from.value);
    const to = parseDateInput(els.to.value);
    let problem = null;
    let badFrom = false;
    let badTo = false;
    if (!from) { problem = t('invalidFrom'); badFrom = true; }
    else if (!to) { problem = t('invalidTo'); badTo = true; }
    else if (from > to) { problem = t('rangeOrder'); badFrom = badTo = true; }
    else if (dayNumber(to) - dayNumber(from) > MAX_DAYS - 1) { problem = t('rangeTooLong'); badFrom = badTo = true; }
    els.from.setAttribute('aria-invalid', String(badFrom));
    els.to.setAttribute('aria-invalid', String(badTo));
    els.periodError.hidden = problem === null;
    els.periodError.textContent = problem || '';
    if (problem) return;
    setPeriod(from, to);
    load();
  }

  function onKeySubmit(event) {
    event.preventDefault();
    const key = els.keyInput.value.trim();
    els.keyInput.value = '';
    if (!key) {
      els.keyError.hidden = false;
      els.keyError.textContent = t('keyMissing');
      return;
    }
    state.key = key;
    storageSet(sessionStorage, KEY_ITEM, key);
    load();
  }

  function init() {
    const $ = (id) => document.getElementById(id);
    els = {
      main: $('main'), keyPanel: $('key-panel'), keyForm: $('key-form'), keyInput: $('key-input'), keyError: $('key-error'),
      changeKey: $('change-key'), toolbar: $('toolbar'), periodForm: $('period-form'), from: $('from'), to: $('to'),
      periodError: $('period-error'), breadcrumb: $('breadcrumb'), status: $('status'), layout: document.querySelector('.layout'),
      figures: $('figures'), scopeName: $('scope-name'), scopeMeta: $('scope-meta'),
      kpiRate: $('kpi-rate'), kpiRateBar: $('kpi-rate-bar'), kpiPoints: $('kpi-points'), kpiReceived: $('kpi-received'),
      kpiSynced: $('kpi-synced'), kpiUnsynced: $('kpi-unsynced'), sourceNote: $('source-note'), trend: $('trend'),
      agencies: $('agencies'), agenciesTitle: $('agencies-title'), agenciesEmpty: $('agencies-empty'),
      unsyncedCard: $('unsynced-card'), unsynced: $('unsynced'), unsyncedSummary: $('unsynced-summary'),
      unsyncedError: $('unsynced-error'), unsyncedEmpty: $('unsynced-empty'), unsyncedMore: $('unsynced-more'),
      agencyFilter: $('agency-filter'), stateFilter: $('state-filter'), stateChips: $('state-chips'),
      healthCard: $('health-card'), healthStatus: $('health-status'), healthProblems: $('health-problems'),
      healthList: $('health-list'), healthError: $('health-error'),
      trendTitle: $('trend-title'), scorecard: $('scorecard'), tabs: [...document.querySelectorAll('.view-tabs [role="tab"]')],
      unsyncedGap: $('unsynced-gap'), unsyncedGapCount: $('unsynced-gap-count'), unsyncedCsv: $('unsynced-csv'),
    };
    scorecard = window.DvcSync.scorecard({
      TEXT, state, h, t, api, fail, fmtInt, fmtRate, fmtPoints, fmtDate, fmtDateTime, rateClass,
      drill: (agency, name) => { state.path.push({ agency, name }); load(); },
      currentAgency,
    });

    const lang = storageGet(localStorage, LANG_ITEM);
    if (lang && TEXT[lang]) state.lang = lang;
    state.key = storageGet(sessionStorage, KEY_ITEM);
    applyLanguage();
    const [from, to] = presetRange('thisMonth');
    setPeriod(from, to);

    els.keyForm.addEventListener('submit', onKeySubmit);
    els.periodForm.addEventListener('submit', onPeriodSubmit);
    els.changeKey.addEventListener('click', () => { state.load?.abort(); state.list?.abort(); forgetKey(); show('nokey'); });
    for (const b of document.querySelectorAll('.lang-toggle button')) b.addEventListener('click', () => setLanguage(b.dataset.lang));
    for (const b of document.querySelectorAll('[data-preset]')) {
      b.addEventListener('click', () => {
        const [f, t2] = presetRange(b.dataset.preset);
        els.periodError.hidden = true;
        setPeriod(f, t2);
        load();
      });
    }
    els.agencies.tHead.addEventListener('click', onSort);
    for (const tab of els.tabs) tab.addEventListener('click', () => setTab(tab.dataset.view));
    document.getElementById('print').addEventListener('click', () => window.print());
    document.getElementById('agencies-csv').addEventListener('click', exportAgencies);
    els.unsyncedCsv.addEventListener('click', exportUnsynced);
    els.agencyFilter.addEventListener('change', () => { state.filter.agency = els.agencyFilter.value; state.rowsShown = ROWS_STEP; loadUnsynced(); });
    els.stateFilter.addEventListener('change', () => setStateFilter(els.stateFilter.value));
    els.unsyncedMore.addEventListener('click', () => { state.rowsShown += ROWS_STEP; renderUnsynced(); });

    // The chart is drawn to its box's width, so that its text stays legible on a phone and on a wide screen.
    if ('ResizeObserver' in window) {
      let pending = false;
      new ResizeObserver(() => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          const width = Math.round(els.trend.clientWidth);
          if (state.view === 'ready' && state.report && width && Math.abs(width - chartWidth) > 4) renderTrend();
        });
      }).observe(els.trend);
    }

    if (state.key) load();
    else show('nokey');
  }

  init();
})();
