// The 766 scorecard: the indicators dossiers decide, each computed from the provincial system's copies and from the
// portal's, the points sync costs, and the agencies ranked by what they cost. app.js owns the period, the drill-down
// and the key; this view reads /indicators/scorecard (sync-api.md) with them and draws the answer.
'use strict';

(function () {
  const TEXT = {
    vi: {
      scTitle: 'Bảng điểm 766 — {name}',
      scLost: 'Điểm mất do đồng bộ', scLostSub: 'tổng các chỉ số đo được',
      scSourcePoints: 'Điểm theo hệ thống một cửa', scSourcePointsSub: 'nếu Cổng có mọi hồ sơ như tỉnh đang giữ',
      scPortalPoints: 'Điểm theo Cổng DVCQG', scPortalPointsSub: 'như Văn phòng Chính phủ sẽ tính',
      scIndicators: 'Các chỉ số tính từ hồ sơ',
      scIndicatorsHint: 'Mỗi chỉ số được tính hai lần trên cùng các hồ sơ: theo bản của hệ thống một cửa và theo bản trên Cổng DVCQG.',
      scColIndicator: 'Chỉ số', scColMax: 'Điểm tối đa', scColSourceRate: 'Tỷ lệ (một cửa)', scColSourcePoints: 'Điểm (một cửa)',
      scColPortalRate: 'Tỷ lệ (Cổng)', scColPortalPoints: 'Điểm (Cổng)', scColLost: 'Điểm mất', scColRank: 'Hạng',
      scColUnsynced: 'Hồ sơ chưa đồng bộ',
      scAgencies: 'Đơn vị mất nhiều điểm nhất', scAgenciesOf: 'Đơn vị trực thuộc {name}, theo điểm mất',
      scNoAgencies: 'Không có đơn vị trực thuộc nào trong kỳ.',
      scNotMeasured: 'Không đo được', scLoading: 'Đang tải bảng điểm…',
      scFailed: 'Không tải được bảng điểm (HTTP {status}): {detail}',
      scOf: '{n}/{d}', scTotal: 'Cộng',
      csvRank: 'Hạng', csvPointsLost: 'Điểm mất do đồng bộ',
    },
    en: {
      scTitle: '766 scorecard — {name}',
      scLost: 'Points lost to sync', scLostSub: 'over the indicators measured',
      scSourcePoints: 'Points by the provincial system', scSourcePointsSub: 'if the portal held every dossier as the province does',
      scPortalPoints: 'Points by the national portal', scPortalPointsSub: 'as the Government Office will compute them',
      scIndicators: 'Indicators computed from dossiers',
      scIndicatorsHint: 'Each indicator is computed twice over the same dossiers: from the provincial system\'s copies and from the portal\'s.',
      scColIndicator: 'Indicator', scColMax: 'Max points', scColSourceRate: 'Rate (province)', scColSourcePoints: 'Points (province)',
      scColPortalRate: 'Rate (portal)', scColPortalPoints: 'Points (portal)', scColLost: 'Points lost', scColRank: 'Rank',
      scColUnsynced: 'Unsynced dossiers',
      scAgencies: 'Agencies losing the most points', scAgenciesOf: 'Agencies under {name}, by points lost',
      scNoAgencies: 'No agency below this one in the period.',
      scNotMeasured: 'Not measured', scLoading: 'Loading the scorecard…',
      scFailed: 'The scorecard could not be read (HTTP {status}): {detail}',
      scOf: '{n}/{d}', scTotal: 'Total',
      csvRank: 'Rank', csvPointsLost: 'Points lost to sync',
    },
  };

  function create(ctx) {
    const { h, t, state } = ctx;
    Object.assign(ctx.TEXT.vi, TEXT.vi);
    Object.assign(ctx.TEXT.en, TEXT.en);
    const $ = (id) => document.getElementById(id);
    const els = {
      section: $('scorecard'), name: $('sc-scope-name'), meta: $('sc-scope-meta'), error: $('sc-error'), body: $('sc-body'),
      lost: $('sc-lost'), sourcePoints: $('sc-source-points'), portalPoints: $('sc-portal-points'),
      indicators: $('sc-indicators'), agencies: $('sc-agencies'), agenciesTitle: $('sc-agencies-title'),
      agenciesEmpty: $('sc-agencies-empty'), csv: $('sc-agencies-csv'),
    };
    let answer = null;
    let error = null;
    let controller = null;
    els.csv.addEventListener('click', exportAgencies);

    async function load() {
      controller?.abort();
      const mine = controller = new AbortController();
      answer = null;
      error = null;
      els.section.dataset.loaded = 'false';
      render();
      try {
        const body = await ctx.api('/indicators/scorecard', { from: state.from, to: state.to, agency: ctx.currentAgency() }, mine.signal);
        if (mine !== controller) return;
        answer = body;
        const name = scopeName();
        if (!state.path.length) state.rootName = name;
        state.names.set(body.agency, name);
        for (const row of body.agencies || []) state.names.set(row.agency, row.name);
      } catch (e) {
        if (e.name === 'AbortError' || mine !== controller) return;
        if (e.kind === 'unauthorized' || e.kind === 'unreachable') { ctx.fail(e); return; }
        error = e;
      }
      els.section.dataset.loaded = 'true';
      render();
    }

    // The contract's answer names the agency by code; its name is the one the page already knows, when it knows it.
    const scopeName = () => (answer.name || state.names.get(answer.agency) || answer.agency);
    const measured = (i) => i.measured !== false;
    const sum = (items, pick) => items.filter(measured).reduce((total, i) => total + (pick(i) || 0), 0);

    function render() {
      els.error.hidden = !error;
      els.error.textContent = error ? t('scFailed', { status: error.status || '?', detail: error.detail || '' }) : '';
      els.body.hidden = !answer;
      if (!answer) {
        els.name.textContent = error ? '' : t('scLoading');
        els.meta.textContent = '';
        return;
      }
      const name = scopeName();
      els.name.textContent = t('scTitle', { name });
      els.name.dataset.agency = answer.agency;
      els.meta.textContent = [t('period', { from: ctx.fmtDate(answer.from), to: ctx.fmtDate(answer.to) }),
        answer.asOf ? t('asOf', { t: ctx.fmtDateTime(answer.asOf) }) : t('asOfNone')].join(' · ');

      const indicators = answer.indicators || [];
      const lost = sum(indicators, (i) => i.pointsLostToSync);
      figure(els.lost, ctx.fmtPoints(lost), lost);
      figure(els.sourcePoints, `${ctx.fmtPoints(sum(indicators, (i) => i.source && i.source.points))} / ${ctx.fmtPoints(sum(indicators, (i) => i.maxPoints))}`,
        sum(indicators, (i) => i.source && i.source.points));
      figure(els.portalPoints, `${ctx.fmtPoints(sum(indicators, (i) => i.portal && i.portal.points))} / ${ctx.fmtPoints(sum(indicators, (i) => i.maxPoints))}`,
        sum(indicators, (i) => i.portal && i.portal.points));

      els.indicators.tBodies[0].replaceChildren(...indicators.map(indicatorRow));
      els.agenciesTitle.textContent = state.path.length ? t('scAgenciesOf', { name }) : t('scAgencies');
      const agencies = ranked();
      els.agencies.tBodies[0].replaceChildren(...agencies.map((a, index) => h('tr', { dataset: { agency: a.agency } },
        h('td', { class: 'num rank', text: String(index + 1) }),
        h('td', { class: 'name' },
          h('button', { type: 'button', class: 'drill', title: t('drillTo', { name: a.name }), text: a.name, onclick: () => ctx.drill(a.agency, a.name) }),
          h('span', { class: 'code', text: a.agency })),
        h('td', { class: 'num lost', dataset: { value: String(a.pointsLostToSync) }, text: ctx.fmtPoints(a.pointsLostToSync) }),
        h('td', { class: 'num unsynced', dataset: { value: String(a.unsynced) }, text: ctx.fmtInt(a.unsynced) }))));
      els.agencies.hidden = agencies.length === 0;
      els.agenciesEmpty.hidden = agencies.length > 0;
      els.agenciesEmpty.textContent = t('scNoAgencies');
      els.csv.disabled = agencies.length === 0;
    }

    function indicatorRow(i) {
      const side = (s) => (s ? [rateCell(s), h('td', { class: 'num points', dataset: { value: String(s.points) }, text: ctx.fmtPoints(s.points) })] : [h('td'), h('td')]);
      const title = h('td', { class: 'indicator' }, h('strong', { class: 'id', text: i.id }), ' ', h('span', { text: i.name }));
      if (!measured(i)) {
        return h('tr', { dataset: { id: i.id, measured: 'false' } }, title,
          h('td', { class: 'num max', text: ctx.fmtPoints(i.maxPoints) }),
          h('td', { class: 'not-measured', colspan: '5', text: `${t('scNotMeasured')}${i.reason ? ': ' + i.reason : ''}` }));
      }
      return h('tr', { dataset: { id: i.id, measured: 'true' } }, title,
        h('td', { class: 'num max', text: ctx.fmtPoints(i.maxPoints) }),
        ...side(i.source).map((c, k) => markSide(c, 'source', k)),
        ...side(i.portal).map((c, k) => markSide(c, 'portal', k)),
        h('td', { class: 'num lost' + (i.pointsLostToSync > 0 ? ' rate-bad' : ''), dataset: { value: String(i.pointsLostToSync) }, text: ctx.fmtPoints(i.pointsLostToSync) }));
    }

    function markSide(cell, side, k) {
      cell.classList.add(`${side}-${k === 0 ? 'rate' : 'points'}`);
      return cell;
    }

    function rateCell(s) {
      return h('td', { class: 'num', dataset: { value: s.rate === null || s.rate === undefined ? '' : String(s.rate) } },
        h('span', { class: ctx.rateClass(s.rate), text: ctx.fmtRate(s.rate) }),
        h('span', { class: 'fraction', text: t('scOf', { n: ctx.fmtInt(s.numerator), d: ctx.fmtInt(s.denominator) }) }));
    }

    // Ranked here as the contract ranks them (largest loss first), ties by unsynced dossiers, whatever order arrives.
    function ranked() {
      return [...(answer.agencies || [])].sort((a, b) => b.pointsLostToSync - a.pointsLostToSync || b.unsynced - a.unsynced);
    }

    function figure(el, text, value) {
      el.textContent = text;
      el.dataset.value = String(value);
    }

    function exportAgencies() {
      if (!answer) return;
      window.DvcSync.csv.download(`diem-mat-theo-don-vi_${answer.agency}_${answer.from}_${answer.to}.csv`,
        [t('csvRank'), t('csvAgencyCode'), t('csvAgencyName'), t('csvPointsLost'), t('scColUnsynced')],
        ranked().map((a, index) => [index + 1, a.agency, a.name, a.pointsLostToSync, a.unsynced]));
    }

    return { load, render };
  }

  window.DvcSync = Object.assign(window.DvcSync || {}, { scorecard: create });
})();
