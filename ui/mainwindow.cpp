#include "mainwindow.h"

#include "auditlog.h"
#include "cleanuppreviewdialog.h"
#include "clock.h"
#include "confirmremovaldialog.h"
#include "detailspane.h"
#include "livestore.h"
#include "lockremover.h"
#include "logcategories.h"
#include "sessionfilterproxy.h"
#include "sessiontablemodel.h"
#include "snapshotjson.h"
#include "stateicon.h"
#include "timelinemodel.h"

#include <QAction>
#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace lockscope {

namespace {

constexpr int kTickMs = 1000;
// The outcome banner shows at most this many lines.
constexpr int kOutcomeLines = 12;
// The problems tooltip lists at most this many.
constexpr int kProblemLines = 20;

QString settingsGroup(bool demo)
{
    return demo ? QStringLiteral("demo") : QStringLiteral("store");
}

} // namespace

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(options)
    , m_auditPath(options.auditLogPath.isEmpty() ? AuditLog::defaultPath() : options.auditLogPath)
    , m_store(new LiveStore(this))
    , m_model(new SessionTableModel(SystemClock::instance(), this))
    , m_proxy(new SessionFilterProxy(this))
    , m_timeline(new TimelineModel(1000, this))
{
    setObjectName(QStringLiteral("lockscopeMainWindow"));
    setWindowTitle(options.demo ? tr("lockscope \u2014 demo store") : tr("lockscope"));
    m_proxy->setSourceModel(m_model);

    buildActions();
    buildMenus();
    buildLayout();
    restoreSettings();

    connect(m_store, &LiveStore::updateReady, m_model, &SessionTableModel::applyUpdate);
    connect(m_store, &LiveStore::updated, this, &MainWindow::onUpdated);
    connect(m_store, &LiveStore::overviewUpdated, this, [this] {
        if (m_store->overviewChanged())
            m_sidebar->setSnapshot(m_store->overview());
    });
    connect(m_store, &LiveStore::statusChanged, this, &MainWindow::updateStatus);
    connect(m_model, &SessionTableModel::observed, this, &MainWindow::onObserved);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onSelectionChanged);
    connect(m_sidebar, &StoreSidebar::scopeChanged, this, &MainWindow::onScopeChanged);
    connect(m_sidebar, &StoreSidebar::addFolderRequested, this, &MainWindow::chooseFolderToAdd);
    connect(m_details, &DetailsPane::copyRequested, this, [this](const QString &text) {
        QGuiApplication::clipboard()->setText(text);
        statusBar()->showMessage(tr("Copied %1").arg(text), 4000);
    });

    auto *tick = new QTimer(this);
    connect(tick, &QTimer::timeout, this, [this] {
        m_model->tick();
        updateStatus();
    });
    tick->start(kTickMs);

    connect(m_store, &LiveStore::cleanupProgress, this,
            [this](int done, int total, const QString &path) {
                if (!m_progress)
                    return;
                m_progress->setMaximum(total);
                m_progress->setValue(done);
                if (!path.isEmpty())
                    m_progress->setLabelText(tr("Removing %1").arg(path));
            });
    connect(m_store, &LiveStore::restoreFinished, this, &MainWindow::onRestoreFinished);
    connect(m_store, &LiveStore::cleanupFinished, this,
            [this](const QVector<RemovalResult> &results) {
                if (m_progress) {
                    m_progress->reset();
                    m_progress->deleteLater();
                }
                reportResults(results);
            });

    applyTargets();
    updateActions();
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions()
{
    auto make = [this](const QString &text, const QString &name, const QString &tip) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setToolTip(tip);
        action->setStatusTip(tip);
        return action;
    };
    m_remove = make(tr("Remove lock"), QStringLiteral("removeAction"),
                    tr("Remove the selected stale locks (Delete). Only locks whose holder is "
                       "proven gone can be removed this way."));
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_remove->setIcon(stateIcon(RowState::Stale));
    m_force = make(tr("Force remove\u2026"), QStringLiteral("forceAction"),
                   tr("Remove one lock whose holder cannot be proven gone, after you have "
                      "stopped it."));
    m_cleanup = make(tr("Clean up all stale\u2026"), QStringLiteral("cleanupAction"),
                     tr("Preview and remove every stale lock, guard and temp file."));
    m_undo = make(tr("Undo last removal"), QStringLiteral("undoAction"),
                  tr("Put back the files of the last removal from the audit log."));
    m_undo->setShortcut(QKeySequence::Undo);
    m_openFolder = make(tr("Open containing folder"), QStringLiteral("openFolderAction"),
                        tr("Open the chats folder of the selected row in the file manager."));
    m_copyPath = make(tr("Copy path"), QStringLiteral("copyPathAction"),
                      tr("Copy the path of the selected lock or recording."));
    m_copyPath->setShortcut(QKeySequence::Copy);
    m_copyPath->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copyDiagnostics = make(tr("Copy diagnostics"), QStringLiteral("copyDiagnosticsAction"),
                             tr("Copy the JSON of the selection, as `lockscope list --json` "
                                "writes it, for a bug report."));
    m_refresh =
        make(tr("Refresh"), QStringLiteral("refreshAction"), tr("Scan the store again now (F5)."));
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_find = make(tr("Find"), QStringLiteral("findAction"), tr("Filter the table (Ctrl+F)."));
    m_find->setShortcut(QKeySequence::Find);
    m_addFolder = make(tr("Add folder\u2026"), QStringLiteral("addFolderAction"),
                       tr("Add a root or chats folder to the view."));

    connect(m_remove, &QAction::triggered, this, &MainWindow::removeSelected);
    connect(m_force, &QAction::triggered, this, &MainWindow::forceRemoveSelected);
    connect(m_cleanup, &QAction::triggered, this, &MainWindow::cleanupAllStale);
    connect(m_undo, &QAction::triggered, this, &MainWindow::undoLastRemoval);
    connect(m_openFolder, &QAction::triggered, this, &MainWindow::openContainingFolder);
    connect(m_copyPath, &QAction::triggered, this, &MainWindow::copyPath);
    connect(m_copyDiagnostics, &QAction::triggered, this, &MainWindow::copyDiagnostics);
    connect(m_refresh, &QAction::triggered, m_store, &LiveStore::refreshNow);
    connect(m_addFolder, &QAction::triggered, this, &MainWindow::chooseFolderToAdd);
    connect(m_find, &QAction::triggered, this, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    addAction(m_refresh);
    addAction(m_find);
    addAction(m_undo);

    auto *toolbar = addToolBar(tr("Actions"));
    toolbar->setObjectName(QStringLiteral("actionsToolBar"));
    toolbar->setAccessibleName(tr("Actions"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(m_remove);
    toolbar->addAction(m_force);
    toolbar->addAction(m_cleanup);
    toolbar->addAction(m_undo);
    toolbar->addSeparator();
    toolbar->addAction(m_openFolder);
    toolbar->addAction(m_copyPath);
    toolbar->addAction(m_copyDiagnostics);
    toolbar->addSeparator();
    toolbar->addAction(m_refresh);
}

void MainWindow::buildMenus()
{
    auto *quit = new QAction(tr("&Quit"), this);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    file->addAction(m_addFolder);
    file->addAction(m_refresh);
    file->addSeparator();
    file->addAction(quit);

    m_about = new QAction(tr("&About lockscope"), this);
    m_about->setObjectName(QStringLiteral("aboutAction"));
    m_about->setStatusTip(tr("The version, the licence and where the audit log is."));
    m_about->setMenuRole(QAction::AboutRole);
    connect(m_about, &QAction::triggered, this, &MainWindow::showAbout);
    auto *aboutQt = new QAction(tr("About &Qt"), this);
    aboutQt->setObjectName(QStringLiteral("aboutQtAction"));
    aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(aboutQt, &QAction::triggered, this, [] { QApplication::aboutQt(); });
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    help->addAction(m_about);
    help->addAction(aboutQt);
}

void MainWindow::buildLayout()
{
    m_sidebar = new StoreSidebar(this);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));

    m_rightSplitter = new QSplitter(Qt::Vertical, this);
    m_rightSplitter->setObjectName(QStringLiteral("rightSplitter"));
    m_rightSplitter->addWidget(buildTablePane());
    m_rightSplitter->addWidget(buildBottomTabs());
    m_rightSplitter->setStretchFactor(0, 3);
    m_rightSplitter->setStretchFactor(1, 2);

    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_sidebar);
    m_mainSplitter->addWidget(m_rightSplitter);
    m_mainSplitter->setStretchFactor(0, 1);
    m_mainSplitter->setStretchFactor(1, 4);
    m_mainSplitter->setSizes({330, 1000});
    setCentralWidget(m_mainSplitter);

    buildStatusBar();
    resize(1280, 800);
}

QHBoxLayout *MainWindow::buildFilterBar()
{
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("filterEdit"));
    m_filter->setPlaceholderText(tr("Filter by session, project, PID, path\u2026 (Ctrl+F)"));
    m_filter->setAccessibleName(tr("Filter text"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &SessionFilterProxy::setText);

    auto *filterBar = new QHBoxLayout;
    filterBar->addWidget(m_filter, 1);
    m_quick = new QButtonGroup(this);
    const struct
    {
        SessionFilterProxy::QuickFilter filter;
        QString text;
        QString name;
        QString tip;
    } quick[] = {
        {SessionFilterProxy::All, tr("All"), QStringLiteral("quickAll"), tr("Every row.")},
        {SessionFilterProxy::NeedsAttention, tr("Needs attention"),
         QStringLiteral("quickAttention"),
         tr("Stale, expired, busy, unverifiable and orphaned locks, and leftover files.")},
        {SessionFilterProxy::Held, tr("Held"), QStringLiteral("quickHeld"),
         tr("Locks a running process holds.")},
        {SessionFilterProxy::Idle, tr("Idle"), QStringLiteral("quickIdle"),
         tr("Recorded sessions that nothing holds.")},
    };
    for (const auto &q : quick) {
        auto *button = new QToolButton(this);
        button->setText(q.text);
        button->setObjectName(q.name);
        button->setToolTip(q.tip);
        button->setAccessibleName(tr("Show: %1").arg(q.text));
        button->setCheckable(true);
        button->setAutoRaise(true);
        m_quick->addButton(button, int(q.filter));
        filterBar->addWidget(button);
    }
    m_quick->button(SessionFilterProxy::All)->setChecked(true);
    connect(m_quick, &QButtonGroup::idClicked, this,
            [this](int id) { m_proxy->setQuickFilter(SessionFilterProxy::QuickFilter(id)); });
    return filterBar;
}

QLabel *MainWindow::makeBanner(const QString &name, const QString &accessibleName,
                               QPalette::ColorRole background, QPalette::ColorRole foreground)
{
    auto *label = new QLabel(this);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setAccessibleName(accessibleName);
    label->setFrameShape(QFrame::StyledPanel);
    label->setBackgroundRole(background);
    label->setForegroundRole(foreground);
    label->setAutoFillBackground(true);
    label->setMargin(6);
    label->hide();
    return label;
}

QWidget *MainWindow::buildTablePane()
{
    m_outcome = makeBanner(QStringLiteral("outcomeLabel"), tr("Outcome of the last action"),
                           QPalette::AlternateBase, QPalette::Text);
    m_degraded = makeBanner(QStringLiteral("degradedBanner"), tr("Live updates unavailable"),
                            QPalette::ToolTipBase, QPalette::ToolTipText);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("sessionTable"));
    m_table->setAccessibleName(tr("Sessions and lock files"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SessionTableModel::StateColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->setColumnWidth(SessionTableModel::StateColumn, 230);
    m_table->setColumnWidth(SessionTableModel::SessionColumn, 210);
    m_table->setColumnWidth(SessionTableModel::ProjectColumn, 110);
    m_table->setColumnWidth(SessionTableModel::PidColumn, 65);
    m_table->setColumnWidth(SessionTableModel::HolderColumn, 140);
    m_table->setColumnWidth(SessionTableModel::LivenessColumn, 95);
    m_table->setColumnWidth(SessionTableModel::LockAgeColumn, 75);
    m_table->setColumnWidth(SessionTableModel::LastActivityColumn, 150);
    m_table->setColumnWidth(SessionTableModel::SizeColumn, 70);
    for (QAction *a : {m_remove, m_force, m_openFolder, m_copyPath, m_copyDiagnostics})
        m_table->addAction(a);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(buildFilterBar());
    topLayout->addWidget(m_degraded);
    topLayout->addWidget(m_outcome);
    topLayout->addWidget(m_table, 1);
    return top;
}

QTabWidget *MainWindow::buildBottomTabs()
{
    m_details = new DetailsPane(this);
    m_timelineView = new QTableView(this);
    m_timelineView->setObjectName(QStringLiteral("timelineView"));
    m_timelineView->setAccessibleName(tr("Timeline of observed events"));
    m_timelineView->setModel(m_timeline);
    m_timelineView->verticalHeader()->hide();
    m_timelineView->horizontalHeader()->setStretchLastSection(true);
    m_timelineView->setColumnWidth(TimelineModel::KindColumn, 120);
    m_timelineView->setColumnWidth(TimelineModel::WhatColumn, 380);
    m_timelineView->setWordWrap(false);
    m_timelineView->setTextElideMode(Qt::ElideMiddle);
    m_timelineView->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *exportButton = new QPushButton(tr("Export\u2026"), this);
    exportButton->setObjectName(QStringLiteral("timelineExportButton"));
    exportButton->setAccessibleName(tr("Export the timeline"));
    exportButton->setToolTip(tr("Save the timeline as tab-separated text."));
    connect(exportButton, &QPushButton::clicked, this, &MainWindow::chooseTimelineExport);
    auto *timelinePage = new QWidget(this);
    auto *timelineLayout = new QVBoxLayout(timelinePage);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    timelineLayout->addWidget(m_timelineView);
    timelineLayout->addWidget(exportButton, 0, Qt::AlignRight);

    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("bottomTabs"));
    tabs->addTab(m_details, tr("Details"));
    tabs->addTab(timelinePage, tr("Timeline"));
    return tabs;
}

void MainWindow::buildStatusBar()
{
    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("totalsLabel"));
    m_confirmed = new QLabel(this);
    m_confirmed->setObjectName(QStringLiteral("confirmedLabel"));
    m_live = new QLabel(this);
    m_live->setObjectName(QStringLiteral("liveLabel"));
    m_live->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // What the scan could not read or would not follow (symlinked folders,
    // permissions), in the tooltip; hidden when there is nothing.
    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("problemsLabel"));
    m_problems->hide();
    statusBar()->addWidget(m_totals, 1);
    statusBar()->addPermanentWidget(m_problems);
    statusBar()->addPermanentWidget(m_confirmed);
    statusBar()->addPermanentWidget(m_live);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(settingsGroup(m_options.demo));
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    // A size saved on a larger screen, or grown by accident, is brought back
    // within this one.
    if (const QScreen *screen = QGuiApplication::primaryScreen()) {
        const QSize available = screen->availableGeometry().size();
        if (width() > available.width() || height() > available.height())
            resize(size().boundedTo(available));
    }
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    m_mainSplitter->restoreState(settings.value(QStringLiteral("mainSplitter")).toByteArray());
    m_rightSplitter->restoreState(settings.value(QStringLiteral("rightSplitter")).toByteArray());
    m_table->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("columns")).toByteArray());
    m_filter->setText(settings.value(QStringLiteral("filterText")).toString());
    const int quick = settings.value(QStringLiteral("quickFilter"), 0).toInt();
    if (QAbstractButton *button = m_quick->button(quick)) {
        button->setChecked(true);
        m_proxy->setQuickFilter(SessionFilterProxy::QuickFilter(quick));
    }
    settings.endGroup();
    if (!m_options.demo)
        m_addedFolders = settings.value(QStringLiteral("addedFolders")).toStringList();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(settingsGroup(m_options.demo));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    settings.setValue(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("rightSplitter"), m_rightSplitter->saveState());
    settings.setValue(QStringLiteral("columns"), m_table->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("filterText"), m_filter->text());
    settings.setValue(QStringLiteral("quickFilter"), m_quick->checkedId());
    settings.endGroup();
    if (!m_options.demo)
        settings.setValue(QStringLiteral("addedFolders"), m_addedFolders);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::applyTargets()
{
    QVector<ScanTarget> targets = m_options.targets;
    for (const QString &folder : qAsConst(m_addedFolders)) {
        const bool legacy = QDir::cleanPath(folder).endsWith(QLatin1String("/.llxprt")) ||
                            QDir::cleanPath(folder).endsWith(QLatin1String("/.llxprt/tmp"));
        targets.append({folder, tr("added by you"), legacy});
    }
    m_store->setTargets(targets);
}

void MainWindow::addFolder(const QString &path)
{
    const QString clean = QDir::cleanPath(QDir(path).absolutePath());
    if (clean.isEmpty() || m_addedFolders.contains(clean))
        return;
    m_addedFolders.append(clean);
    saveSettings();
    applyTargets();
}

void MainWindow::chooseFolderToAdd()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Add an llxprt folder (log folder, tmp, project or chats)"));
    if (!dir.isEmpty())
        addFolder(dir);
}

void MainWindow::onUpdated()
{
    checkOpenDialog();
    onSelectionChanged();
    updateStatus();
}

void MainWindow::onScopeChanged(StoreSidebar::Scope scope, const QString &path)
{
    switch (scope) {
    case StoreSidebar::Everything:
        m_proxy->clearScope();
        break;
    case StoreSidebar::Root:
        m_proxy->setRootScope(path);
        break;
    case StoreSidebar::Project:
        m_proxy->setChatsScope(path);
        break;
    }
}

void MainWindow::onObserved(const TimelineEvent &event)
{
    if (event.kind == TimelineEvent::Released && m_removedByYou.remove(event.path))
        return; // already in the timeline as "removed by you"
    if (event.kind == TimelineEvent::Appeared && m_restoredByYou.remove(event.path))
        return; // already in the timeline as "restored"
    m_timeline->add(event);
}

QVector<SessionRow> MainWindow::selectedRows() const
{
    QVector<SessionRow> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &index : selected) {
        const QModelIndex source = m_proxy->mapToSource(index);
        if (const SessionRow *row = m_model->rowAt(source.row()))
            rows.append(*row);
    }
    return rows;
}

bool MainWindow::selectKey(const QString &key)
{
    const int sourceRow = m_model->rowForKey(key);
    if (sourceRow < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (!index.isValid())
        return false;
    // Not QAbstractItemView::setCurrentIndex: it reads the keyboard modifiers,
    // and a held Ctrl would toggle the row out of the selection again.
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                 QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

void MainWindow::onSelectionChanged()
{
    const QVector<SessionRow> rows = selectedRows();
    if (rows.size() == 1) {
        // Re-render only when the row changed, so reading the pane is not disturbed.
        if (rows.first().key != m_shownKey || rows.first().fingerprint != m_shownFingerprint) {
            m_shownKey = rows.first().key;
            m_shownFingerprint = rows.first().fingerprint;
            m_details->showRow(&rows.first(), SystemClock::instance().wallNowMs());
        }
    } else {
        m_shownKey.clear();
        m_shownFingerprint = 0;
        if (rows.isEmpty())
            m_details->showRow(nullptr, 0);
        else
            m_details->showNothing(tr("%n rows selected.", nullptr, int(rows.size())));
    }
    updateActions();
}

void MainWindow::updateActions()
{
    const QVector<SessionRow> rows = selectedRows();
    auto explain = [](QAction *action, bool enabled, const QString &base, const QString &why) {
        action->setEnabled(enabled);
        action->setToolTip(enabled || why.isEmpty() ? base : base + QStringLiteral("\n\n") + why);
    };

    QString removeWhy;
    bool removable = !rows.isEmpty();
    for (const SessionRow &row : rows) {
        if (!row.lock()) {
            removable = false;
            removeWhy = tr("\"%1\" has no lock to remove.").arg(row.title());
        } else if (row.blocked()) {
            removable = false;
            removeWhy = tr("Disabled: %1").arg(row.blockedReason());
        } else if (row.action() != Action::Remove) {
            removable = false;
            removeWhy =
                row.action() == Action::Force
                    ? tr("Disabled: \"%1\" is %2; its holder cannot be proven gone. Use Force "
                         "remove after stopping it.")
                          .arg(row.title(), rowStateName(row.state()).toLower())
                    : tr("Disabled: \"%1\" is %2 and is not removed.")
                          .arg(row.title(), rowStateName(row.state()).toLower());
        }
        if (!removable)
            break;
    }
    explain(m_remove, removable, tr("Remove the selected stale locks (Delete)."), removeWhy);

    QString forceWhy;
    bool forcible = rows.size() == 1;
    if (rows.size() > 1)
        forceWhy = tr("Force remove works on one row at a time.");
    if (rows.size() == 1) {
        const SessionRow &row = rows.first();
        if (!row.lock() || row.action() == Action::Never) {
            forcible = false;
            forceWhy = tr("Disabled: lockscope never deletes this file.");
        } else if (row.blocked()) {
            forcible = false;
            forceWhy = tr("Disabled: %1").arg(row.blockedReason());
        } else if (row.action() != Action::Force) {
            forcible = false;
            forceWhy = row.action() == Action::Remove
                           ? tr("Not needed: this lock is stale, use Remove lock.")
                           : tr("Disabled: the lock is %1 right now.")
                                 .arg(rowStateName(row.state()).toLower());
        }
    }
    explain(m_force, forcible,
            tr("Remove one lock whose holder cannot be proven gone, after you stopped it."),
            forceWhy);

    const bool one = !rows.isEmpty();
    m_openFolder->setEnabled(rows.size() == 1);
    m_copyPath->setEnabled(one);
    m_copyDiagnostics->setEnabled(one);
    m_undo->setEnabled(!m_undoStack.isEmpty());
    m_cleanup->setEnabled(!m_store->cleanupRunning());
}

void MainWindow::updateStatus()
{
    const SnapshotPtr snap = m_store->overview();
    if (snap && m_store->hasScanned()) {
        QString text = tr("%1 sessions, %2 files in %3 projects \u2014 %4 held, %5 stale, "
                          "%6 need attention")
                           .arg(m_store->sessionCount())
                           .arg(m_store->lockCount())
                           .arg(snap->projects.size())
                           .arg(m_model->stateCount(RowState::Held))
                           .arg(m_model->stateCount(RowState::Stale))
                           .arg(m_model->attentionCount());
        if (m_store->deepening())
            text += tr(" \u2014 reading session names\u2026");
        m_totals->setText(text);
        const qint64 ago = SystemClock::instance().wallNowMs() - m_store->confirmedAtMs();
        m_confirmed->setText(
            tr("Confirmed current %1 ago").arg(humanDuration(qMax<qint64>(0, ago))));
        m_confirmed->setToolTip(
            tr("Last scan at %1, took %2 ms.")
                .arg(QDateTime::fromMSecsSinceEpoch(m_store->confirmedAtMs()).toString(Qt::ISODate))
                .arg(m_store->lastScanMs()));
    } else {
        m_totals->setText(tr("Scanning\u2026 %n row(s) so far", nullptr, m_model->rowCount()));
    }
    const int problems = snap ? int(snap->problems.size()) : 0;
    m_problems->setVisible(problems > 0);
    if (problems > 0) {
        m_problems->setText(tr("\u26a0 %n problem(s)", nullptr, problems));
        QStringList lines;
        for (const ScanProblem &p : snap->problems.mid(0, kProblemLines))
            lines << tr("%1: %2").arg(p.path, p.message);
        if (problems > kProblemLines)
            lines << tr("\u2026and %n more", nullptr, problems - kProblemLines);
        m_problems->setToolTip(lines.join(QLatin1Char('\n')));
    }
    m_live->setText(liveStatusText());
    m_live->setToolTip(m_store->isLive()
                           ? tr("Folder changes and holder exits are noticed as they happen.")
                           : m_store->degradedReason());
    m_degraded->setText(
        tr("Live updates are degraded to polling. %1").arg(m_store->degradedReason()));
    m_degraded->setVisible(!m_store->isLive());
}

QString MainWindow::liveStatusText() const
{
    return m_store->isLive()
               ? tr("Live updates")
               : tr("Polling, not live: raise fs.inotify.max_user_watches / max_user_instances");
}

QString MainWindow::degradedBannerText() const
{
    return m_degraded->isVisibleTo(this) ? m_degraded->text() : QString();
}

QString MainWindow::lastOutcome() const
{
    return m_outcome->isVisible() || !m_outcome->text().isEmpty() ? m_outcome->text() : QString();
}

void MainWindow::showOutcome(const QString &text)
{
    // A long outcome (thousands of files) is cut, or the banner would grow the
    // window past the screen; every line is in the timeline.
    QStringList lines = text.split(QLatin1Char('\n'));
    if (lines.size() > kOutcomeLines) {
        const int more = int(lines.size()) - kOutcomeLines;
        lines = lines.mid(0, kOutcomeLines);
        lines << tr("\u2026and %n more: see the timeline.", nullptr, more);
    }
    m_outcome->setText(lines.join(QLatin1Char('\n')));
    m_outcome->show();
    statusBar()->showMessage(lines.first(), 8000);
}

void MainWindow::showAbout()
{
    // The audit log is the one this window writes to, as the core names it.
    const QString text =
        tr("<h3>lockscope %1</h3>"
           "<p>Inspects llxprt-code's session locks and removes stale ones safely.</p>"
           "<p>Licence: Apache License, version 2.0 (Apache-2.0).</p>"
           "<p>Audit log of removals:<br><tt>%2</tt></p>"
           "<p>Settings:<br><tt>%3</tt></p>")
            .arg(QStringLiteral(LOCKSCOPE_VERSION), m_auditPath.toHtmlEscaped(),
                 QSettings().fileName().toHtmlEscaped());
    auto *box =
        new QMessageBox(QMessageBox::NoIcon, tr("About lockscope"), text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("aboutDialog"));
    box->setTextFormat(Qt::RichText);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const QIcon icon = QApplication::windowIcon();
    if (!icon.isNull())
        box->setIconPixmap(icon.pixmap(64, 64));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::checkOpenDialog()
{
    if (!m_confirm)
        return;
    for (const SessionRow &shown : m_confirm->rows()) {
        const int index = m_model->rowForKey(shown.key);
        const SessionRow *now = m_model->rowAt(index);
        const LockEntry *was = shown.lock();
        const LockEntry *is = now ? now->lock() : nullptr;
        QString why;
        if (!is || is->path() != was->path())
            why = tr("%1 disappeared while the dialog was open.").arg(was->path());
        else if (!is->file.sameInode(was->file) || is->file.bytes != was->file.bytes)
            why = tr("%1 was rewritten while the dialog was open.").arg(was->path());
        else if (is->judgement.verdict != was->judgement.verdict ||
                 is->judgement.action != was->judgement.action)
            why = tr("%1 is now %2.").arg(was->path(), rowStateName(now->state()).toLower());
        if (!why.isEmpty()) {
            m_confirm->cancelBecauseChanged(why);
            return;
        }
    }
}

void MainWindow::removeSelected()
{
    if (!m_remove->isEnabled() || m_confirm)
        return;
    const QVector<SessionRow> rows = selectedRows();
    if (!rows.isEmpty())
        confirmAndRemove(rows, false);
}

void MainWindow::forceRemoveSelected()
{
    if (!m_force->isEnabled() || m_confirm)
        return;
    const QVector<SessionRow> rows = selectedRows();
    if (rows.size() == 1)
        confirmAndRemove(rows, true);
}

void MainWindow::confirmAndRemove(const QVector<SessionRow> &rows, bool force)
{
    auto *dialog = new ConfirmRemovalDialog(rows, force, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_confirm = dialog;
    connect(dialog, &QDialog::finished, this, [this, dialog, force](int result) {
        if (dialog->cancelledBecauseChanged()) {
            showOutcome(
                tr("Nothing was removed: %1 Look at it again.").arg(dialog->changeReason()));
            return;
        }
        // A forced removal also needs the "I have stopped the holder" box ticked.
        if (result == QDialog::Accepted && (!force || dialog->acknowledgement()->isChecked()))
            performRemovals(dialog->rows(), force);
    });
    dialog->open();
}

void MainWindow::performRemovals(const QVector<SessionRow> &rows, bool force)
{
    AuditLog audit(m_auditPath);
    LockRemover remover(audit);
    QVector<RemovalResult> results;
    for (const SessionRow &row : rows) {
        const LockEntry *lock = row.lock();
        if (!lock)
            continue;
        RemovalRequest request;
        request.dirPath = lock->dirPath;
        request.fileName = lock->fileName;
        request.force = force;
        if (lock->file.read)
            request.expectedBytes = lock->file.bytes;
        request.expectRemovable = true;
        qCInfo(lcUiActions) << (force ? "force removing" : "removing") << lock->path();
        results.append(remover.remove(request));
    }
    reportResults(results);
}

void MainWindow::reportResults(const QVector<RemovalResult> &results)
{
    QStringList auditIds;
    QMap<QString, int> counts;
    QStringList lines;
    for (const RemovalResult &r : results) {
        const QString path = displayPath(r.path);
        ++counts[removalOutcomeName(r.outcome)];
        TimelineEvent event;
        event.timeMs = SystemClock::instance().wallNowMs();
        event.path = path;
        if (r.outcome == RemovalOutcome::Removed) {
            if (!r.auditId.isEmpty())
                auditIds << r.auditId;
            m_removedByYou.insert(path);
            event.kind = TimelineEvent::RemovedByYou;
        } else {
            event.kind = TimelineEvent::Note;
        }
        event.text = r.message;
        m_timeline->add(event);
        lines << tr("%1: %2").arg(QFileInfo(path).fileName(), r.message);
    }
    if (!auditIds.isEmpty())
        m_undoStack.append(auditIds);

    if (results.size() == 1) {
        showOutcome(results.first().message);
    } else if (!results.isEmpty()) {
        QStringList parts;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            parts << tr("%1 %2").arg(it.value()).arg(it.key());
        const QString summary = tr("Clean-up finished: %1.").arg(parts.join(QStringLiteral(", ")));
        showOutcome(summary);
        auto *box = new QMessageBox(QMessageBox::Information, tr("Clean-up finished"), summary,
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("cleanupSummary"));
        box->setDetailedText(lines.join(QLatin1Char('\n')));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    updateActions();
    m_store->refreshNow();
}

void MainWindow::cleanupAllStale()
{
    if (m_store->cleanupRunning())
        return;
    QVector<SessionRow> rows;
    int blocked = 0;
    for (int i = 0; i < m_model->rowCount(); ++i) {
        const SessionRow *row = m_model->rowAt(i);
        if (!row->lock() || row->action() != Action::Remove)
            continue;
        if (row->blocked())
            ++blocked;
        else
            rows.append(*row);
    }
    auto *dialog = new CleanupPreviewDialog(rows, blocked, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        QVector<RemovalRequest> requests;
        for (const SessionRow &row : dialog->rows()) {
            const LockEntry *lock = row.lock();
            RemovalRequest request;
            request.dirPath = lock->dirPath;
            request.fileName = lock->fileName;
            if (lock->file.read)
                request.expectedBytes = lock->file.bytes;
            request.expectRemovable = true;
            requests.append(request);
        }
        if (requests.isEmpty())
            return;
        auto *progress = new QProgressDialog(tr("Removing stale files\u2026"), tr("Stop"), 0,
                                             int(requests.size()), this);
        progress->setObjectName(QStringLiteral("cleanupProgress"));
        progress->setWindowTitle(tr("Clean up all stale"));
        progress->setMinimumDuration(400);
        progress->setAutoClose(false);
        progress->setAutoReset(false);
        connect(progress, &QProgressDialog::canceled, m_store, &LiveStore::cancelCleanup);
        m_progress = progress;
        m_store->startCleanup(requests, m_auditPath);
        updateActions();
    });
    dialog->open();
}

void MainWindow::undoLastRemoval()
{
    if (m_undoStack.isEmpty() || m_store->cleanupRunning())
        return;
    // On the worker thread: thousands of files take a while to put back.
    m_store->startRestore(m_undoStack.takeLast(), m_auditPath);
    statusBar()->showMessage(tr("Restoring\u2026"));
    updateActions();
}

void MainWindow::onRestoreFinished(const QVector<RestoreResult> &results)
{
    QStringList messages;
    int restored = 0;
    for (const RestoreResult &r : results) {
        TimelineEvent event;
        event.timeMs = SystemClock::instance().wallNowMs();
        event.path = displayPath(r.path);
        event.kind =
            r.outcome == RestoreResult::Restored ? TimelineEvent::Restored : TimelineEvent::Note;
        if (r.outcome == RestoreResult::Restored) {
            m_restoredByYou.insert(event.path);
            ++restored;
        }
        event.text = r.message;
        m_timeline->add(event);
        messages << r.message;
    }
    if (results.size() > 1)
        messages.prepend(
            tr("%1 of %n file(s) restored.", nullptr, int(results.size())).arg(restored));
    showOutcome(messages.join(QLatin1Char('\n')));
    updateActions();
}

void MainWindow::openContainingFolder()
{
    const QVector<SessionRow> rows = selectedRows();
    if (rows.size() != 1)
        return;
    const QString dir = QFileInfo(rows.first().displayPath()).path();
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(dir)))
        showOutcome(tr("No file manager could open %1.").arg(dir));
}

void MainWindow::copyPath()
{
    QStringList paths;
    for (const SessionRow &row : selectedRows())
        paths << row.displayPath();
    if (paths.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(paths.join(QLatin1Char('\n')));
    statusBar()->showMessage(tr("Copied %n path(s)", nullptr, int(paths.size())), 4000);
}

QString MainWindow::diagnosticsJson() const
{
    const qint64 wallNow = SystemClock::instance().wallNowMs();
    const qint64 bootNow = SystemClock::instance().bootNowMs();
    QJsonArray items;
    for (const SessionRow &row : selectedRows()) {
        QJsonObject item;
        if (const SessionEntry *s = row.session())
            item.insert(QLatin1String("session"), sessionToJson(*s, *row.snapshot));
        if (const LockEntry *l = row.lock())
            item.insert(QLatin1String("lock"),
                        lockToJson(*l, row.snapshot.get(), wallNow, bootNow));
        items.append(item);
    }
    QJsonObject root;
    root.insert(QLatin1String("schemaVersion"), kJsonSchemaVersion);
    if (const SnapshotPtr snap = m_store->overview()) {
        root.insert(QLatin1String("generatedAt"),
                    QDateTime::fromMSecsSinceEpoch(snap->generatedAtMs, Qt::UTC)
                        .toString(Qt::ISODateWithMs));
        root.insert(QLatin1String("hostname"), snap->hostname);
    }
    root.insert(QLatin1String("selection"), items);
    return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented));
}

void MainWindow::copyDiagnostics()
{
    if (selectedRows().isEmpty())
        return;
    QGuiApplication::clipboard()->setText(diagnosticsJson());
    statusBar()->showMessage(tr("Copied diagnostics (JSON) for the selection"), 4000);
}

bool MainWindow::exportTimeline(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        showOutcome(tr("Cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    file.write(m_timeline->toText().toUtf8());
    return file.error() == QFileDevice::NoError;
}

void MainWindow::chooseTimelineExport()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the timeline"),
                                                      QStringLiteral("lockscope-timeline.tsv"));
    if (!path.isEmpty() && exportTimeline(path))
        statusBar()->showMessage(tr("Timeline saved to %1").arg(path), 4000);
}

} // namespace lockscope
