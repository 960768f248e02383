/* Qingpu single-choice quiz: renders one question with radio buttons and a 提交 button,
   reports the answer as an xAPI "answered" statement with a 0/1 score, and keeps the chosen
   answer as resume state (getCurrentState / extras.previousState). */
var H5P = H5P || {};

H5P.QingpuQuiz = (function ($) {
  'use strict';

  function QingpuQuiz(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
    this.answers = Array.isArray(this.params.answers) ? this.params.answers : [];
    var previous = (extras && extras.previousState) || {};
    this.selected = typeof previous.selected === 'number' ? previous.selected : null;
    this.submitted = previous.submitted === true;
  }

  QingpuQuiz.prototype = Object.create(H5P.EventDispatcher.prototype);
  QingpuQuiz.prototype.constructor = QingpuQuiz;

  QingpuQuiz.prototype.attach = function ($container) {
    var self = this;
    var l10n = self.params.l10n || {};
    var name = 'qingpu-quiz-' + self.contentId;
    $container.addClass('h5p-qingpu-quiz').empty();

    var $form = $('<form novalidate></form>');
    var $fieldset = $('<fieldset></fieldset>').appendTo($form);
    $('<legend></legend>').text(self.params.question || '').appendTo($fieldset);

    self.answers.forEach(function (answer, index) {
      var id = name + '-' + index;
      var $label = $('<label></label>').attr('for', id);
      var $input = $('<input type="radio">').attr({ id: id, name: name, value: index });
      if (self.selected === index) {
        $input.prop('checked', true);
      }
      $input.on('change', function () {
        self.selected = index;
        $submit.prop('disabled', false);
      });
      $label.append($input).append($('<span></span>').text(answer.text || ''));
      $fieldset.append($label);
    });

    var $submit = $('<button type="submit" class="h5p-qingpu-quiz-submit"></button>')
      .text(l10n.submit || '提交')
      .prop('disabled', self.selected === null);
    var $feedback = $('<p class="h5p-qingpu-quiz-feedback" role="status" aria-live="polite"></p>');
    $form.append($submit).append($feedback);

    $form.on('submit', function (event) {
      event.preventDefault();
      if (self.selected === null) {
        return;
      }
      var answer = self.answers[self.selected] || {};
      var score = answer.correct ? 1 : 0;
      self.submitted = true;
      $feedback
        .removeClass('is-correct is-wrong')
        .addClass(score ? 'is-correct' : 'is-wrong')
        .text(score ? (l10n.correct || '回答正确') : (l10n.wrong || '回答错误，请再试一次'));
      var pass = typeof self.params.passPercentage === 'number' ? self.params.passPercentage : 100;
      self.triggerXAPIScored(score, 1, 'answered', true, score * 100 >= pass);
    });

    $container.append($form);
    self.trigger('resize');
  };

  QingpuQuiz.prototype.getCurrentState = function () {
    if (this.selected === null) {
      return undefined;
    }
    return { selected: this.selected, submitted: this.submitted };
  };

  QingpuQuiz.prototype.getScore = function () {
    var answer = this.answers[this.selected] || {};
    return this.submitted && answer.correct ? 1 : 0;
  };

  QingpuQuiz.prototype.getMaxScore = function () {
    return 1;
  };

  return QingpuQuiz;
})(H5P.jQuery);
