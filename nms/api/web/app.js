// trustroute dashboard: the NMS's API (Documentation/api.md) drawn as a
// trust map, a device table, a device's timeline and the session that
// says why. Polls the event log every second and redraws on news.
//
// Everything a router or an operator can write (names, reasons, file
// paths) reaches the page through text nodes or attribute values, never
// parsed as HTML: text stays text.
'use strict';

(function () {
	const SVG = 'http://www.w3.org/2000/svg';
	const POLL_MS = 1000;
	let token = null;
	let role = null;
	let last = -1;
	let lastSession = -1;
	let selected = null;
	let failures = 0;
	const $ = (id) => document.getElementById(id);

	// An element with attributes and children (strings become text).
	function make(ns, tag, attrs, children) {
		const e = ns ? document.createElementNS(ns, tag) :
			document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {}))
			if (v !== undefined && v !== null)
				e.setAttribute(k, String(v));
		for (const c of children || [])
			e.append(typeof c === 'string' || typeof c === 'number' ?
				document.createTextNode(String(c)) : c);
		return e;
	}
	const el = (tag, attrs, ...kids) => make(null, tag, attrs, kids);
	const svg = (tag, attrs, ...kids) => make(SVG, tag, attrs, kids);

	function when(ms) {
		if (!ms)
			return '—';
		return new Date(ms).toISOString().replace('T', ' ')
			.replace(/\.\d+Z$/, 'Z');
	}

	function badge(state) {
		return el('span', { class: 'badge ' + state }, state);
	}

	async function api(path, options) {
		const o = options || {};
		const headers = {};
		if (token)
			headers.Authorization = 'Bearer ' + token;
		if (o.body !== undefined)
			headers['Content-Type'] = 'application/json';
		const r = await fetch(path, {
			method: o.method || 'GET',
			headers,
			body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
			cache: 'no-store',
			credentials: 'same-origin',
		});
		const j = await r.json().catch(() => ({}));
		if (r.status === 401) {
			showLogin(j.error || 'authentication required');
			throw new Error('authentication required');
		}
		if (!r.ok)
			throw new Error((j && j.error) || ('HTTP ' + r.status));
		return j;
	}

	function showLogin(why) {
		$('main').hidden = true;
		$('login').hidden = false;
		$('login-error').textContent = token ? why : '';
		$('live').textContent = 'signed out';
	}

	// ---- the device table ------------------------------------------

	function certCell(c) {
		if (!c)
			return '—';
		const text = c.serial.slice(0, 12) + '… until ' +
			when(c.not_after_ms).slice(0, 10);
		return c.revoked ? el('span', { class: 'error' }, 'revoked · ' + text) :
			text;
	}

	async function act(device, action) {
		if (action === 'revoke' &&
		    !window.confirm('Decommission ' + device +
				    '? Its certificate is revoked for good.'))
			return;
		try {
			const r = await api('/api/v1/devices/' +
				encodeURIComponent(device) + '/' + action,
			{ method: 'POST', body: { reason: 'from the dashboard' } });
			const what = r.probe ? r.probe.result + ': ' + r.probe.reason :
				r.trust ? r.trust.from + ' → ' + r.trust.to : 'done';
			$('error').textContent = device + ' ' + action + ': ' + what;
		} catch (e) {
			$('error').textContent = device + ' ' + action + ': ' + e.message;
		}
		refresh();
	}

	function renderTable(devices) {
		const rows = devices.map((d) => {
			const actions = el('td', { class: 'admin-only' });
			for (const [a, label] of [['reset', 'reset'],
				['attest', 'attest now'], ['revoke', 'revoke']]) {
				const b = el('button', { type: 'button', 'data-action': a },
					label);
				b.addEventListener('click', (ev) => {
					ev.stopPropagation();
					act(d.name, a);
				});
				actions.append(b);
			}
			const tr = el('tr', {
				'data-device': d.name,
				'data-state': d.state,
				class: d.name === selected ? 'selected' : null,
			},
			el('td', {}, d.name),
			el('td', {}, badge(d.state), d.decommissioned ? ' decommissioned' : ''),
			el('td', { class: 'time' }, when(d.since_ms)),
			el('td', { class: 'reason' }, d.reason),
			el('td', {}, certCell(d.certificate)),
			el('td', {}, d.endpoint ? d.endpoint.address + ':' + d.endpoint.port :
				'—'),
			actions);
			tr.addEventListener('click', () => select(d.name));
			return tr;
		});
		$('devices').tBodies[0].replaceChildren(...rows);
	}

	// ---- the trust map -----------------------------------------------

	function renderMap(devices, routes) {
		const map = $('map');
		const W = 800;
		const hosts = routes.hosts.map((h) => h.name);
		const rows = Math.max(devices.length, Math.ceil(hosts.length / 2), 1);
		const H = 60 + 90 * rows;
		const pos = {};
		devices.forEach((d, i) => {
			pos['r:' + d.name] = { x: W / 2, y: (H / (devices.length + 1)) * (i + 1) };
		});
		const left = hosts.filter((_, i) => i % 2 === 0);
		const right = hosts.filter((_, i) => i % 2 === 1);
		left.forEach((h, i) => {
			pos['h:' + h] = { x: 110, y: (H / (left.length + 1)) * (i + 1) };
		});
		right.forEach((h, i) => {
			pos['h:' + h] = { x: W - 110, y: (H / (right.length + 1)) * (i + 1) };
		});
		const parts = [];
		for (const r of routes.routes) {
			const a = pos['h:' + r.host];
			const b = pos['r:' + r.via];
			if (!a || !b)
				continue;
			const ax = a.x < W / 2 ? a.x + 50 : a.x - 50;
			parts.push(svg('line', {
				class: 'edge' + (r.preferred ? ' preferred' : ''),
				'data-host': r.host, 'data-via': r.via,
				x1: ax, y1: a.y, x2: b.x, y2: b.y,
			}));
			parts.push(svg('text', {
				class: 'metric',
				x: ax + (b.x - ax) * 0.25, y: a.y + (b.y - a.y) * 0.25 - 6,
			}, String(r.metric)));
		}
		for (const h of hosts) {
			const p = pos['h:' + h];
			parts.push(svg('g', { class: 'host', 'data-host': h },
				svg('rect', { x: p.x - 50, y: p.y - 20, width: 100, height: 40, rx: 6 }),
				svg('text', { x: p.x, y: p.y + 5 }, h)));
		}
		for (const d of devices) {
			const p = pos['r:' + d.name];
			const g = svg('g', {
				class: 'router ' + d.state + (d.name === selected ? ' selected' : ''),
				'data-device': d.name, 'data-state': d.state,
			},
			svg('title', {}, d.name + ': ' + d.state + ' — ' + d.reason),
			svg('circle', { cx: p.x, cy: p.y, r: 26 }),
			svg('text', { x: p.x, y: p.y + 5 }, d.name),
			svg('text', { x: p.x, y: p.y + 44 }, d.state));
			g.addEventListener('click', () => select(d.name));
			parts.push(g);
		}
		map.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
		map.replaceChildren(...parts);

		// The paths traffic takes now: the routers both ends prefer.
		const pref = {};
		for (const r of routes.routes)
			if (r.preferred)
				(pref[r.host] = pref[r.host] || []).push(r.via);
		const lines = [];
		for (let i = 0; i < hosts.length; i++)
			for (let j = i + 1; j < hosts.length; j++) {
				const a = hosts[i];
				const b = hosts[j];
				const via = (pref[a] || []).filter((v) => (pref[b] || []).includes(v));
				lines.push(el('li', { 'data-path': a + '-' + b },
					a + ' ⇄ ' + b + ': ' +
					(via.length ? 'via ' + via.join(', ') : 'no common router')));
			}
		if (!hosts.length)
			lines.push(el('li', {}, 'no managed hosts (nms-route host)'));
		$('paths').replaceChildren(...lines);
	}

	// ---- a device: identity, timeline, the session that says why -------

	function why(s) {
		if (s.bad_files.length)
			return 'Known-bad program: ' + s.bad_files.join(', ');
		if (s.unknown_files.length)
			return 'Ran what no reference list has: ' + s.unknown_files.join(', ');
		if (s.violations.length)
			return 'Integrity violation: ' + s.violations.join(', ');
		return s.reasons.length ? s.reasons[0] : 'nothing found against it';
	}

	function fileList(title, files, cls) {
		if (!files.length)
			return [];
		return [el('h4', {}, title),
			el('ul', { class: 'files ' + cls }, ...files.map((f) => el('li', {}, f)))];
	}

	async function showSession(id) {
		const s = await api('/api/v1/sessions/' + id);
		$('session').hidden = false;
		$('session-title').replaceChildren('Session ' + s.id + ' at ' +
			when(s.started_ms) + ' from ' + s.peer + ': ', badge(s.verdict));
		$('session-why').textContent = why(s);
		const parts = [];
		parts.push(...fileList('Known-bad files', s.bad_files, 'bad'));
		parts.push(...fileList('Files in no reference list', s.unknown_files, 'unknown'));
		parts.push(...fileList('Violations', s.violations, 'unknown'));
		for (const m of s.imvs) {
			parts.push(el('h4', {}, m.imv + ' IMV: ', badge(m.verdict)));
			parts.push(el('ul', {}, ...m.reasons.map((r) => el('li', {}, r))));
		}
		if (!s.imvs.length)
			parts.push(el('ul', {}, ...s.reasons.map((r) => el('li', {}, r))));
		$('session-imvs').replaceChildren(...parts);
	}

	async function renderDetail(name) {
		const [d, hist, sessions] = await Promise.all([
			api('/api/v1/devices/' + encodeURIComponent(name)),
			api('/api/v1/devices/' + encodeURIComponent(name) + '/history'),
			api('/api/v1/sessions?limit=20&device=' + encodeURIComponent(name)),
		]);
		$('detail').hidden = false;
		$('detail-title').replaceChildren(d.name + ' ', badge(d.state),
			d.decommissioned ? ' decommissioned' : '');
		const id = [
			['since', when(d.since_ms)], ['reason', d.reason],
			['EK key', d.enrolled.ek_key_id], ['EK issuer', d.enrolled.ek_issuer],
			['AK', d.enrolled.ak_name],
			['certificate', d.certificate ? d.certificate.serial + (d.certificate.revoked ?
				' (revoked)' : '') + ', until ' + when(d.certificate.not_after_ms) : '—'],
			['addresses', d.addresses.join(', ') || '—'],
		];
		$('identity').replaceChildren(...id.flatMap(([k, v]) =>
			[el('dt', {}, k), el('dd', {}, v || '—')]));
		const items = hist.map((h) => ({
			t: h.time_ms,
			node: el('li', { class: 'change' }, el('span', { class: 'time' }, when(h.time_ms)),
				badge(h.from), ' → ', badge(h.to), ' ' + h.reason),
		}));
		for (const s of sessions) {
			const li = el('li', { class: 'session', 'data-session': s.id },
				el('span', { class: 'time' }, when(s.started_ms)),
				'session ' + s.id + ': ', badge(s.verdict),
				' ' + (s.reasons[0] || ''));
			li.addEventListener('click', () => showSession(s.id));
			items.push({ t: s.started_ms, node: li });
		}
		items.sort((a, b) => b.t - a.t);
		$('timeline').replaceChildren(...items.map((i) => i.node));
		// The newest session that found something, else the newest.
		const s = sessions.find((x) => x.verdict !== 'good') || sessions[0];
		if (s)
			await showSession(s.id);
		else
			$('session').hidden = true;
	}

	function select(name) {
		selected = name;
		refresh();
	}

	// ---- live ----------------------------------------------------------

	async function refresh() {
		try {
			const [devices, routes] = await Promise.all([
				api('/api/v1/devices'), api('/api/v1/routes')]);
			renderTable(devices);
			renderMap(devices, routes);
			if (selected)
				await renderDetail(selected);
			document.body.setAttribute('data-refreshed', String(Date.now()));
		} catch (e) {
			$('error').textContent = e.message;
		}
	}

	function addEvents(events) {
		const feed = $('events');
		for (const e of events)
			feed.prepend(el('li', {}, el('span', { class: 'time' }, when(e.time_ms)),
				(e.device ? e.device + ' ' : '') + e.kind + ': ' + e.detail));
		while (feed.children.length > 50)
			feed.lastChild.remove();
	}

	async function poll() {
		try {
			const r = await api('/api/v1/events?limit=100' +
				(last >= 0 ? '&after=' + last : ''));
			const news = last < 0 || r.events.length > 0 ||
				r.last_session !== lastSession;
			addEvents(r.events);
			last = r.last;
			lastSession = r.last_session;
			failures = 0;
			$('live').className = 'live';
			$('live').textContent = 'live · ' + new Date().toLocaleTimeString();
			if (news)
				await refresh();
		} catch (e) {
			if (++failures > 2) {
				$('live').className = 'live stale';
				$('live').textContent = 'not updating: ' + e.message;
			}
		}
		if (!$('main').hidden)
			setTimeout(poll, POLL_MS);
	}

	async function start() {
		try {
			const me = await api('/api/v1/whoami');
			role = me.role;
			$('who').textContent = me.operator + ' (' + me.role + ')';
			document.body.classList.toggle('admin', role === 'admin');
			$('login').hidden = true;
			$('main').hidden = false;
			last = -1;
			poll();
		} catch (e) {
			if (e.message !== 'authentication required')
				$('live').textContent = e.message;
		}
	}

	// A link may carry the token in its fragment (never sent to the
	// server, dropped from the address bar at once).
	const m = /^#token=([A-Za-z0-9_]+)$/.exec(window.location.hash);
	if (m) {
		sessionStorage.setItem('trustroute-token', m[1]);
		history.replaceState(null, '', window.location.pathname);
	}
	token = sessionStorage.getItem('trustroute-token');
	$('login').addEventListener('submit', (ev) => {
		ev.preventDefault();
		token = $('token').value.trim();
		sessionStorage.setItem('trustroute-token', token);
		start();
	});
	start();
}());
