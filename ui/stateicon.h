#pragma once

#include "sessionrow.h"

#include <QIcon>

namespace lockscope {

// A small badge per state: its own colour *and* its own shape, so the state
// never rests on colour alone. These are the only hard-coded colours of the
// window; they read on light and dark backgrounds alike.
QIcon stateIcon(RowState state);

} // namespace lockscope
