/* Lesson H5P player: starts h5p-standalone in each [data-h5p-player] container, sends every
   xAPI statement to the server (which decides scores and completion) with Django's CSRF
   header, and saves the activity's resume state itself, because H5P core's own state POST
   carries no CSRF token. Loaded once however many activities a lesson has. */
(function () {
  'use strict';

  if (window.QingpuH5PPlayer) {
    return;
  }
  var LOCAL_CONTENT_ID = 'http://h5p.org/x-api/h5p-local-content-id';
  var players = [];
  var dispatchers = [];
  var sent = [];
  var scripts = {};

  function loadScript(src) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var tag = document.createElement('script');
        tag.src = src;
        tag.async = true;
        tag.onload = resolve;
        tag.onerror = function () { reject(new Error('cannot load ' + src)); };
        document.head.appendChild(tag);
      });
    }
    return scripts[src];
  }

  function cookie(name) {
    var match = document.cookie.match('(?:^|;)\\s*' + name + '=([^;]*)');
    return match ? decodeURIComponent(match[1]) : '';
  }

  function csrfToken(player) {
    return player.el.getAttribute('data-csrf-token') || cookie('csrftoken');
  }

  function setStatus(player, text, kind) {
    if (!player.status || player.completed) {
      return;
    }
    player.status.textContent = text;
    player.status.className = 'h5p-activity-status' + (kind ? ' is-' + kind : '');
  }

  function message(player, key) {
    return player.el.getAttribute('data-msg-' + key) || '';
  }

  function frameWindow(player) {
    var iframe = player.el.querySelector('iframe');
    try {
      return iframe && iframe.contentWindow && iframe.contentWindow.H5P ? iframe.contentWindow : null;
    } catch (error) {
      return null;
    }
  }

  function instanceOf(player) {
    var windows = [frameWindow(player), window];
    for (var i = 0; i < windows.length; i += 1) {
      var h5p = windows[i] && windows[i].H5P;
      var instances = (h5p && h5p.instances) || [];
      for (var j = 0; j < instances.length; j += 1) {
        if (String(instances[j].contentId) === player.packageId) {
          return instances[j];
        }
      }
    }
    return null;
  }

  function saveState(player, keepalive) {
    if (!player.record) {
      return;
    }
    var instance = instanceOf(player);
    if (!instance || typeof instance.getCurrentState !== 'function') {
      return;
    }
    var state;
    try {
      state = instance.getCurrentState();
    } catch (error) {
      return;
    }
    if (state === undefined || state === null) {
      return;
    }
    var json = JSON.stringify(state);
    if (json === undefined) {
      return;
    }
    if (json === player.lastState) {
      return;
    }
    player.lastState = json;
    var body = new URLSearchParams();
    body.set('data', json);
    body.set('preload', '1');
    body.set('invalidate', '0');
    return fetch(player.stateUrl, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: !!keepalive,
      headers: { 'X-CSRFToken': csrfToken(player), 'X-Requested-With': 'XMLHttpRequest' },
      body: body
    }).catch(function () {
      player.lastState = null; // try again next time
    });
  }

  function sendStatement(player, statement) {
    var counts = /\/(answered|completed)$/.test((statement.verb && statement.verb.id) || '');
    if (counts) {
      setStatus(player, message(player, 'sending'), 'busy');
    }
    return fetch(player.xapiUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        'X-CSRFToken': csrfToken(player),
        'X-Requested-With': 'XMLHttpRequest'
      },
      body: JSON.stringify({
        lesson: player.lessonId,
        package: Number(player.packageId),
        statement: statement
      })
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, error: message(player, 'network') };
      });
    }).then(function (reply) {
      if (!reply.ok) {
        setStatus(player, reply.error || message(player, 'network'), 'error');
      } else if (reply.lesson_completed) {
        setStatus(player, message(player, 'completed'), 'done');
        player.completed = true;
      } else if (reply.duplicate) {
        if (counts) {
          setStatus(player, message(player, 'duplicate'), 'ok');
        }
      } else if (reply.counted) {
        setStatus(player, message(player, 'counted'), 'ok');
      } else if (counts) {
        setStatus(player, message(player, 'recorded'), 'ok');
      }
    }).catch(function () {
      setStatus(player, message(player, 'network'), 'error');
    });
  }

  function contentIdOf(statement) {
    var object = statement && statement.object;
    var extensions = object && object.definition && object.definition.extensions;
    return extensions ? String(extensions[LOCAL_CONTENT_ID]) : '';
  }

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? '0' : '') + b.toString(16);
    }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' +
      hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function onXAPI(event) {
    var statement = event && event.data && event.data.statement;
    if (!statement || sent.indexOf(statement) !== -1) {
      return;
    }
    sent.push(statement);
    if (sent.length > 100) {
      sent.shift();
    }
    // H5P core leaves the id out; the server needs one to make a resend a no-op.
    if (!statement.id) {
      statement.id = uuid4();
    }
    var contentId = contentIdOf(statement);
    for (var i = 0; i < players.length; i += 1) {
      var player = players[i];
      if (player.packageId === contentId) {
        if (player.record) {
          // One request at a time per activity: statements arrive in order, and the state
          // save follows the statement it belongs to.
          player.queue = player.queue
            .then(function () { return sendStatement(player, statement); })
            .then(function () { return saveState(player, false); });
        }
        return;
      }
    }
  }

  function installCsrf(player) {
    var framed = frameWindow(player);
    [window, framed].forEach(function (win) {
      var jq = win && win.H5P && win.H5P.jQuery;
      if (!jq || jq.qingpuCsrf) {
        return;
      }
      jq.qingpuCsrf = true;
      jq.ajaxPrefilter(function (options, original, xhr) {
        var type = (options.type || options.method || 'GET').toUpperCase();
        var url = new URL(options.url, window.location.href);
        if (type !== 'GET' && type !== 'HEAD' && url.origin === window.location.origin) {
          xhr.setRequestHeader('X-CSRFToken', csrfToken(player));
        }
      });
    });
  }

  function listen(player) {
    installCsrf(player);
    // H5P core in the iframe also triggers on the parent page's dispatcher when it can
    // reach it; listen on one dispatcher only, or every statement would be sent twice.
    var own = window.H5P && window.H5P.externalDispatcher;
    var framed = frameWindow(player);
    var dispatcher = own || (framed && framed.H5P && framed.H5P.externalDispatcher);
    if (dispatcher && dispatchers.indexOf(dispatcher) === -1) {
      dispatchers.push(dispatcher);
      dispatcher.on('xAPI', onXAPI);
    }
  }

  function start(el) {
    var frame = el.querySelector('[data-h5p-frame]') || el;
    var base = el.getAttribute('data-h5p-json-url').replace(/\/h5p\.json$/, '');
    var player = {
      el: el,
      status: el.parentNode.querySelector('[data-h5p-status]'),
      packageId: el.getAttribute('data-package-id'),
      lessonId: Number(el.getAttribute('data-lesson-id')),
      xapiUrl: el.getAttribute('data-xapi-url'),
      record: el.getAttribute('data-record') === '1',
      stateUrl: el.getAttribute('data-user-data-url')
        .replace('DATA_TYPE', 'state').replace('SUB_CONTENT_ID', '0'),
      lastState: el.getAttribute('data-previous-state') || null,
      completed: false,
      queue: Promise.resolve()
    };
    players.push(player);
    setStatus(player, player.record ? message(player, 'loading') : message(player, 'preview'));
    var options = {
      id: player.packageId,
      h5pJsonPath: base,
      librariesPath: base,
      frameJs: el.getAttribute('data-frame-js'),
      frameCss: el.getAttribute('data-frame-css'),
      frame: false,
      copyright: false,
      export: false,
      embed: false,
      icon: false,
      fullScreen: false,
      xAPIObjectIRI: window.location.origin + base,
      // H5P core hands the saved state to the content only when saveFreq is set; its own
      // periodic saves get the CSRF header from installCsrf().
      saveFreq: 30,
      user: {
        name: el.getAttribute('data-user-name') || '',
        mail: 'user-' + el.getAttribute('data-user-id') + '@users.invalid'
      },
      ajax: {
        contentUserDataUrl: el.getAttribute('data-user-data-url')
          .replace('DATA_TYPE', ':dataType').replace('SUB_CONTENT_ID', ':subContentId')
      }
    };
    if (player.lastState) {
      options.contentUserData = [{ state: player.lastState }];
    }
    return new window.H5PStandalone.H5P(frame, options).then(function () {
      listen(player);
      var iframe = el.querySelector('iframe');
      if (iframe) {
        iframe.setAttribute('title', el.closest('[aria-label]') ?
          el.closest('[aria-label]').getAttribute('aria-label') : 'H5P');
        iframe.addEventListener('load', function () { listen(player); });
      }
      if (player.status && !player.completed && player.record) {
        player.status.textContent = '';
      }
    }).catch(function () {
      setStatus(player, message(player, 'load-failed'), 'error');
    });
  }

  function startAll() {
    var containers = document.querySelectorAll('[data-h5p-player]');
    if (!containers.length) {
      return;
    }
    loadScript(containers[0].getAttribute('data-main-js')).then(function () {
      Array.prototype.forEach.call(containers, start);
    }).catch(function () {
      Array.prototype.forEach.call(containers, function (el) {
        var status = el.parentNode.querySelector('[data-h5p-status]');
        if (status) {
          status.textContent = el.getAttribute('data-msg-load-failed');
        }
      });
    });
    // Keep the resume state when the teacher leaves or switches apps (WeChat on a phone).
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') {
        players.forEach(function (player) { saveState(player, true); });
      }
    });
    window.setInterval(function () {
      players.forEach(function (player) { saveState(player, false); });
    }, 30000);
  }

  window.QingpuH5PPlayer = { players: players, saveState: saveState };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', startAll);
  } else {
    startAll();
  }
}());
