#include "logcategories.h"

Q_LOGGING_CATEGORY(lcUiModel, "lockscope.ui.model", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUiLive, "lockscope.ui.watch", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUiActions, "lockscope.ui.actions", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUiDemo, "lockscope.ui.demo", QtWarningMsg)
