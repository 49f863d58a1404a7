#pragma once

#include <QLoggingCategory>

// One category per part of the window, all off below warnings by default;
// QT_LOGGING_RULES="lockscope.ui.*=true" shows everything.
Q_DECLARE_LOGGING_CATEGORY(lcUiModel)
Q_DECLARE_LOGGING_CATEGORY(lcUiLive)
Q_DECLARE_LOGGING_CATEGORY(lcUiActions)
Q_DECLARE_LOGGING_CATEGORY(lcUiDemo)
