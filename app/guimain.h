#pragma once

namespace lockscope {

// Opens the window. Arguments: [--demo] [PATH...]. Without PATH the folders
// llxprt itself uses are shown (plus the ones the person added); when none of
// them exists, or with --demo, a temporary demo store is built and shown.
int runGui(int argc, char *argv[]);

} // namespace lockscope
